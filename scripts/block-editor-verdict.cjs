// The block editor's verdict on block markup, for tests/it/block_editor.rs. Reads
// [{"name": ..., "content": ...}] on stdin and prints, per document, the blocks the editor
// rejects (core blocks registered, parsed and validated by @wordpress/blocks under jsdom) and
// the blocks it accepts only by migrating them to their current markup (a deprecated version).
const { JSDOM } = require('jsdom');

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
for (const key of ['window', 'document', 'navigator', 'Node', 'HTMLElement', 'Element', 'DOMParser', 'MutationObserver']) {
  if (!(key in globalThis)) globalThis[key] = key === 'window' ? dom.window : dom.window[key];
}
globalThis.window.matchMedia ||= () => ({ matches: false, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {} });
globalThis.requestAnimationFrame = (f) => setTimeout(f, 0);

// The editor tells of migrations and failures on the console: caught per document.
let said = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => said.push(args.map(String).join(' '));
}

const { registerCoreBlocks } = require('@wordpress/block-library');
const blocks = require('@wordpress/blocks');
registerCoreBlocks();

// The kind of a validation issue: its message's format, without the values.
const kind = (issue) => String((issue.args && issue.args[0]) || '').split('\n')[0].slice(0, 100);

function verdict(doc) {
  const rejected = [];
  said = [];
  const walk = (list) => {
    for (const block of list) {
      if (block.isValid === false) {
        const kinds = (block.validationIssues || []).map(kind).filter((k) => !k.startsWith('Block validation failed'));
        rejected.push({ block: block.name, kinds });
      }
      walk(block.innerBlocks || []);
    }
  };
  try {
    walk(blocks.parse(doc.content));
  } catch (error) {
    rejected.push({ block: '(parser)', kinds: [String((error && error.message) || error).slice(0, 100)] });
  }
  const migrated = said.filter((s) => s.startsWith('Updated Block:')).map((s) => s.slice('Updated Block:'.length).trim());
  return { name: doc.name, rejected, migrated };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(verdict)));
});
