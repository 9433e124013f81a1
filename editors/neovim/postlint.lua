-- postlint in Neovim 0.7 and later: `postlint server` for post files (.json, .ndjson, .jsonl),
-- one server per workspace root, positions in UTF-8 bytes (Neovim's own columns: nothing to
-- convert, even on a one-line export of megabytes). Put it in init.lua, or `dofile()` it from
-- there; tests/it/neovim.rs runs this file as it is, in Neovim 0.7.

-- .ndjson and .jsonl are JSON lines: give them the `json` filetype, which starts the server.
if vim.fn.has('nvim-0.8') == 1 then
  vim.filetype.add({ extension = { ndjson = 'json', jsonl = 'json' } })
else
  -- 0.7 detects filetypes with Vim script unless told otherwise: `vim.filetype.add` is ignored.
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    pattern = { '*.ndjson', '*.jsonl' },
    command = 'setfiletype json',
  })
end

-- The workspace of a buffer: the folder of the nearest postlint.toml above it, else of the
-- nearest .git, else its own folder.
local function workspace_root(buf)
  local file = vim.api.nvim_buf_get_name(buf)
  local dir = file ~= '' and vim.fn.fnamemodify(file, ':p:h') or vim.fn.getcwd()
  local config = vim.fn.findfile('postlint.toml', dir .. ';')
  if config ~= '' then
    return vim.fn.fnamemodify(config, ':p:h')
  end
  local git = vim.fn.finddir('.git', dir .. ';')
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h')
  end
  return dir
end

-- One client per workspace root, kept across buffers and `:set filetype=json` again.
local clients = {}

local function start_postlint(root)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities.general = { positionEncodings = { 'utf-8' } }
  return vim.lsp.start_client({
    name = 'postlint',
    cmd = { 'postlint', 'server' },
    root_dir = root,
    capabilities = capabilities,
    offset_encoding = 'utf-8',
    -- init_options = { siteRules = true },
  })
end

local function attach_postlint(args)
  local root = workspace_root(args.buf)
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = start_postlint(root)
    clients[root] = id
  end
  if id and not vim.lsp.buf_is_attached(args.buf, id) then
    vim.lsp.buf_attach_client(args.buf, id)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('postlint', { clear = true }),
  pattern = 'json',
  callback = attach_postlint,
})
