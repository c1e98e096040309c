#!/usr/bin/env bash
# Proves that the packages people consume on their own install from their tarballs alone
# (plain npm, outside the repo), import in plain Node ESM and ship types; runs publint and
# arethetypeswrong on every package under packages/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for dir in packages/*/; do
  name=$(node -p "require('./$dir/package.json').name")
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
  (cd "$dir" && "$root/node_modules/.bin/publint" --strict --level warning >/dev/null) || { echo "check-packages: publint failed for $name"; (cd "$dir" && "$root/node_modules/.bin/publint" --strict); exit 1; }
done
for tarball in "$out"/*.tgz; do
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --format ascii >/dev/null || { "$root/node_modules/.bin/attw" "$tarball" --profile esm-only; exit 1; }
done

try_install() { # try_install <import-name> <tarball>...
  local name=$1; shift
  local app; app=$(mktemp -d)
  (cd "$app" && npm init -y >/dev/null && npm i --no-audit --no-fund --silent "$@" >/dev/null)
  (cd "$app" && node --input-type=module -e "const m = await import('$name'); if (Object.keys(m).length === 0) throw new Error('$name exports nothing'); console.log('check-packages: $name installs alone and exports', Object.keys(m).length, 'names')")
  ls "$app/node_modules/$name/dist/index.d.ts" >/dev/null
  rm -rf "$app"
}
try_install @execdriver/spec "$out"/execdriver-spec-*.tgz
if node -e "process.exit(Object.keys(require('./packages/cgroups/package.json')).length && require('fs').readFileSync('packages/cgroups/src/index.ts','utf8').includes('export {}') ? 1 : 0)"; then
  try_install @execdriver/cgroups "$out"/execdriver-spec-*.tgz "$out"/execdriver-cgroups-*.tgz
fi
echo "check-packages: ok"
