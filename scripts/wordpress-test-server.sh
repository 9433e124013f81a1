#!/usr/bin/env bash
# A real WordPress on 127.0.0.1 for the end-to-end test of `postlint check --site`
# (tests/wordpress_e2e.rs), from Debian's packages, on loopback only:
#
#   scripts/wordpress-test-server.sh install   # apt packages (root; about a minute)
#   scripts/wordpress-test-server.sh start     # database, PHP's web server, a seeded site
#   scripts/wordpress-test-server.sh stop
#
# `start` writes $POSTLINT_WP_DIR/site.env (POSTLINT_WP_URL, POSTLINT_WP_USER,
# POSTLINT_WP_APP_PASSWORD), which the test reads. MariaDB listens on a socket only
# (skip-networking); PHP's built-in server listens on 127.0.0.1; WordPress makes no outbound
# calls. The site is seeded through its own REST API with posts that carry known defects, and
# one published row gets a broken GMT date through SQL.
set -euo pipefail

STATE="${POSTLINT_WP_DIR:-/tmp/postlint-wordpress}"
PORT="${POSTLINT_WP_PORT:-8081}"
URL="http://127.0.0.1:${PORT}"
WP=/usr/share/wordpress
SOCKET="$STATE/mysqld.sock"
ADMIN=admin
ADMIN_PASSWORD=postlint-admin-password

log() { echo "wordpress-test-server: $*" >&2; }

install() {
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start daemons: this script starts its own, on loopback.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wordpress php-cli php-mysql php-curl \
    php-xml php-mbstring mariadb-server curl >/dev/null
}

# Waits (bounded) until a command succeeds: readiness of a daemon this script started.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "$what did not come up; see $STATE/*.log"
  exit 1
}

sql() { mariadb --socket="$SOCKET" -uroot "$@"; }

start_database() {
  mkdir -p "$STATE/db"
  if [ ! -d "$STATE/db/mysql" ]; then
    mariadb-install-db --datadir="$STATE/db" --user=root --skip-test-db \
      --auth-root-authentication-method=socket >"$STATE/install-db.log" 2>&1
  fi
  mariadbd --datadir="$STATE/db" --socket="$SOCKET" --pid-file="$STATE/mysqld.pid" \
    --skip-networking --user=root --log-error="$STATE/mysqld.log" &
  wait_for "MariaDB" mariadb-admin --socket="$SOCKET" -uroot ping
  sql -e "CREATE DATABASE IF NOT EXISTS wordpress;
          CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY 'wordpress';
          GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"
}

write_config() {
  mkdir -p /etc/wordpress
  cat >/etc/wordpress/config-127.0.0.1.php <<PHP
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', 'wordpress');
define('DB_HOST', 'localhost:$SOCKET');
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_CONTENT_DIR', '$STATE/wp-content');
PHP
  mkdir -p "$STATE/wp-content"
  cp -rn /var/lib/wordpress/wp-content/. "$STATE/wp-content/" 2>/dev/null || true
}

start_web() {
  # PHP's server: files as they are, everything else through WordPress's front controller.
  cat >"$STATE/router.php" <<'PHP'
<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = '/usr/share/wordpress' . $path;
if ($path !== '/' && is_file($file)) {
    return false;
}
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = '/usr/share/wordpress/index.php';
require '/usr/share/wordpress/index.php';
PHP
  php -S "127.0.0.1:$PORT" -t "$WP" "$STATE/router.php" >"$STATE/php.log" 2>&1 &
  echo $! >"$STATE/php.pid"
  wait_for "PHP's web server" curl -fsS -o /dev/null "$URL/wp-login.php"
}

# Runs PHP with WordPress loaded, as the site's host.
wp_php() {
  php -d display_errors=stderr -r "\$_SERVER['HTTP_HOST'] = '127.0.0.1'; define('WP_USE_THEMES', false); require '$WP/wp-load.php'; $1"
}

install_site() {
  curl -fsS -o "$STATE/install.html" "$URL/wp-admin/install.php?step=2" \
    --data-urlencode "weblog_title=Postlint Test News" --data-urlencode "user_name=$ADMIN" \
    --data-urlencode "admin_password=$ADMIN_PASSWORD" \
    --data-urlencode "admin_password2=$ADMIN_PASSWORD" --data "pw_weak=1" \
    --data-urlencode "admin_email=admin@example.com" --data "blog_public=0"
  if ! grep -q "Success" "$STATE/install.html"; then
    log "the install page did not say Success; see $STATE/install.html"
    exit 1
  fi
  # Pretty permalinks (so /wp-json/ works) and a zone with daylight saving.
  wp_php "global \$wp_rewrite; \$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/'); flush_rewrite_rules(); update_option('timezone_string', 'America/New_York'); update_option('gmt_offset', '');"
  wp_php "\$user = get_user_by('login', '$ADMIN'); list(\$password) = WP_Application_Passwords::create_new_application_password(\$user->ID, array('name' => 'postlint-tests')); echo \$password;" >"$STATE/app-password"
}

rest() {
  local method=$1 route=$2
  shift 2
  curl -fsS -X "$method" -u "$ADMIN:$(cat "$STATE/app-password")" \
    -H 'Content-Type: application/json' "$URL/wp-json/$route" "$@"
}

post() {
  rest POST wp/v2/posts --data "$1" -o /dev/null
}

seed() {
  # The sample content would add findings of its own.
  rest DELETE "wp/v2/posts/1?force=true" -o /dev/null
  local section='<h2>WHY IT MATTERS</h2><p>Because.</p>'
  post '{"title":"Empty span","slug":"empty-span","status":"publish","date":"2026-01-10T09:00:00","content":"<p>Hello<span></span> world.</p>'"$section"'"}'
  post '{"title":"Duplicate link","slug":"duplicate-link","status":"publish","date":"2026-01-11T09:00:00","content":"<p><a href=\"https://example.org/a\">One</a> and <a href=\"https://example.org/a\">two</a>.</p>'"$section"'"}'
  post '{"title":"Missing section","slug":"missing-section","status":"publish","date":"2026-07-12T09:00:00","content":"<p>No section here.</p>"}'
  post '{"title":"Broken GMT","slug":"broken-gmt","status":"publish","date":"2026-01-13T09:00:00","content":"<p>Fine text.</p>'"$section"'"}'
  post '{"title":"A draft","slug":"a-draft","status":"draft","content":"<p>Draft<span></span> text.</p>'"$section"'"}'
  post '{"title":"Scheduled","slug":"scheduled","status":"future","date":"2030-01-14T09:00:00","content":"<p>Later.</p>'"$section"'"}'
  # A published row whose GMT date is the local time: a plugin's import gone wrong. And old
  # modification times (consistent, in New York's winter offset), so a test that edits a post
  # later finds only that post modified after the last run.
  sql wordpress -e "UPDATE wp_posts SET post_modified = '2026-01-20 10:00:00',
                      post_modified_gmt = '2026-01-20 15:00:00' WHERE post_type = 'post';
                    UPDATE wp_posts SET post_date_gmt = post_date WHERE post_name = 'broken-gmt';"
}

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  mkdir -p "$STATE"
  if running "$STATE/php.pid" && running "$STATE/mysqld.pid"; then
    log "already running at $URL"
    return
  fi
  start_database
  write_config
  start_web
  if [ ! -s "$STATE/app-password" ]; then
    install_site
    seed
  fi
  cat >"$STATE/site.env" <<ENV
POSTLINT_WP_URL=$URL
POSTLINT_WP_USER=$ADMIN
POSTLINT_WP_APP_PASSWORD=$(cat "$STATE/app-password")
ENV
  log "WordPress is up at $URL (settings in $STATE/site.env)"
}

stop() {
  for pid_file in "$STATE/php.pid" "$STATE/mysqld.pid"; do
    if running "$pid_file"; then
      local pid
      pid=$(cat "$pid_file")
      kill "$pid" 2>/dev/null || true
      wait_for "the end of process $pid" bash -c "! kill -0 $pid"
    fi
  done
  rm -f "$STATE/php.pid" "$STATE/site.env"
  log "stopped"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 install|start|stop" >&2
    exit 2
    ;;
esac
