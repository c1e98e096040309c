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
  (cd "$app" && node --input-type=module -e "const m = await import('$name'); if (Object.keys(m).length === 0) throw new Error('$name exports nothing'); console.log('check-packages: $name installs from', process.argv[1], 'tarball(s) and exports', Object.keys(m).length, 'names')" "$#")
  ls "$app/node_modules/$name/dist/index.d.ts" >/dev/null
  rm -rf "$app"
}
# What people consume on its own: the spec alone, and the cgroup reader with nothing but its own
# dependencies (it does not even need @execdriver/spec).
try_install @execdriver/spec "$out"/execdriver-spec-*.tgz
try_install @execdriver/cgroups "$out"/execdriver-cgroups-*.tgz
# Every other package installs from its tarball plus the tarballs of the packages it depends on.
try_install @execdriver/namespaces "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz
try_install @execdriver/terminal "$out"/execdriver-terminal-*.tgz
try_install @execdriver/oci "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz "$out"/execdriver-oci-*.tgz
try_install @execdriver/images "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz "$out"/execdriver-images-*.tgz
try_install @execdriver/driver "$out"/execdriver-*.tgz
try_install @execdriver/engine "$out"/execdriver-*.tgz
# The CLI: one bundle whose only dependency is node-pty; installed from its tarball it runs.
(cd apps/cli && pnpm pack --pack-destination "$out" >/dev/null)
cli=$(mktemp -d)
(cd "$cli" && npm init -y >/dev/null && npm i --no-audit --no-fund --silent "$out"/execdriver-0*.tgz >/dev/null)
"$cli/node_modules/.bin/execdriver" version >/dev/null || { echo "check-packages: the packed CLI does not run"; exit 1; }
echo "check-packages: the execdriver CLI installs from its tarball and runs ($("$cli/node_modules/.bin/execdriver" version | head -1))"
rm -rf "$cli"
echo "check-packages: ok"
