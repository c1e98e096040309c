#!/usr/bin/env bash
# Proves that the packages people consume on their own install from their tarballs alone
# (plain npm, outside the repo), import in plain Node ESM, ship types and a LICENSE; that
# @execdriver/cgroups reads stats without zod and stays under 1 MB installed; runs publint on
# every package (and the CLI and the daemon) and arethetypeswrong on every package under packages/. Ends with a
# table of each package's tarball, unpacked and installed sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$(mktemp -d)
sizes=$(mktemp)
trap 'rm -rf "$out" "$sizes"' EXIT

for dir in packages/*/ apps/cli/ apps/daemon/; do
  name=$(node -p "require('./$dir/package.json').name")
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
  (cd "$dir" && "$root/node_modules/.bin/publint" --strict --level warning >/dev/null) || { echo "check-packages: publint failed for $name"; (cd "$dir" && "$root/node_modules/.bin/publint" --strict); exit 1; }
done
for tarball in "$out"/execdriver-*-*.tgz; do
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --format ascii >/dev/null || { "$root/node_modules/.bin/attw" "$tarball" --profile esm-only; exit 1; }
done

kib() { du -sk "$1" | cut -f1; }

# npm install, tried three times: a registry hiccup (ECONNRESET, ETIMEDOUT) is not a packaging fault;
# the last failure's words are printed.
npm_install() {
  local attempt
  for attempt in 1 2 3; do
    if npm i --no-audit --no-fund --silent "$@" >/dev/null 2>"$out/npm-error"; then return 0; fi
    echo "check-packages: npm i $* failed (attempt $attempt): $(tail -3 "$out/npm-error" | tr '\n' ' ')" >&2
    sleep 5
  done
  return 1
}

try_install() { # try_install <import-name> <tarball>...: installs them in a fresh npm project, imports <import-name>
  local name=$1; shift
  local app; app=$(mktemp -d)
  (cd "$app" && npm init -y >/dev/null && npm_install "$@")
  (cd "$app" && node --input-type=module -e "const m = await import('$name'); if (Object.keys(m).length === 0) throw new Error('$name exports nothing'); console.log('check-packages: $name installs from', process.argv[1], 'tarball(s) and exports', Object.keys(m).length, 'names')" "$#")
  ls "$app/node_modules/$name/dist/index.d.ts" >/dev/null
  local tarball; tarball=$(ls "$out/$(echo "${name#@}" | tr / -)"-0*.tgz)
  # name, tarball bytes, the package unpacked, the whole install (with its dependencies)
  echo "$name $(stat -c %s "$tarball") $(kib "$app/node_modules/$name") $(kib "$app/node_modules")" >>"$sizes"
  installed_app=$app
}
# What people consume on its own: the spec alone, and the cgroup reader with nothing but its own
# dependencies (it does not even need @execdriver/spec).
try_install @execdriver/spec "$out"/execdriver-spec-*.tgz; rm -rf "$installed_app"
# The cgroup reader: zod is only an optional peer (for @execdriver/cgroups/schema), so npm installs
# nothing but the package, and it imports: the stats path loads no zod. Under 1 MB installed.
try_install @execdriver/cgroups "$out"/execdriver-cgroups-*.tgz
if [ -e "$installed_app/node_modules/zod" ]; then echo "check-packages: @execdriver/cgroups pulled in zod"; exit 1; fi
(cd "$installed_app" && node --input-type=module -e "const { openCgroupOfPid } = await import('@execdriver/cgroups'); const stats = await openCgroupOfPid(process.pid).stats(); if (!stats.readAt) throw new Error('no stats')") \
  || { echo "check-packages: @execdriver/cgroups does not read stats without zod"; exit 1; }
cgroups_kib=$(kib "$installed_app/node_modules")
if [ "$cgroups_kib" -ge 1024 ]; then echo "check-packages: @execdriver/cgroups takes $cgroups_kib KiB installed (limit 1024)"; exit 1; fi
echo "check-packages: @execdriver/cgroups reads stats without zod installed ($cgroups_kib KiB installed)"
# With zod beside it, the schemas load from the subpath.
(cd "$installed_app" && npm_install zod@^4.6.7 && node --input-type=module -e "const { cgroupStatsSchema } = await import('@execdriver/cgroups/schema'); const { openCgroupOfPid } = await import('@execdriver/cgroups'); cgroupStatsSchema.parse(await openCgroupOfPid(process.pid).stats())") \
  || { echo "check-packages: @execdriver/cgroups/schema does not load or check stats"; exit 1; }
echo "check-packages: @execdriver/cgroups/schema checks stats with zod installed"
rm -rf "$installed_app"
# Every other package installs from its tarball plus the tarballs of the packages it depends on.
try_install @execdriver/namespaces "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz; rm -rf "$installed_app"
try_install @execdriver/terminal "$out"/execdriver-terminal-*.tgz; rm -rf "$installed_app"
try_install @execdriver/oci "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz "$out"/execdriver-oci-*.tgz; rm -rf "$installed_app"
try_install @execdriver/images "$out"/execdriver-spec-*.tgz "$out"/execdriver-namespaces-*.tgz "$out"/execdriver-images-*.tgz; rm -rf "$installed_app"
try_install @execdriver/network "$out"/execdriver-network-*.tgz; rm -rf "$installed_app"
try_install @execdriver/driver "$out"/execdriver-*-*.tgz; rm -rf "$installed_app"
try_install @execdriver/engine "$out"/execdriver-*-*.tgz; rm -rf "$installed_app"
# The CLI: one bundle whose only dependency is node-pty; installed from its tarball it runs.
cli=$(mktemp -d)
(cd "$cli" && npm init -y >/dev/null && npm_install "$out"/execdriver-0*.tgz)
"$cli/node_modules/.bin/execdriver" version >/dev/null || { echo "check-packages: the packed CLI does not run"; exit 1; }
echo "check-packages: the execdriver CLI installs from its tarball and runs ($("$cli/node_modules/.bin/execdriver" version | head -1))"
echo "execdriver $(stat -c %s "$out"/execdriver-0*.tgz) $(kib "$cli/node_modules/execdriver") $(kib "$cli/node_modules")" >>"$sizes"
rm -rf "$cli"
# Every tarball has the license.
for tarball in "$out"/*.tgz; do
  tar -tzf "$tarball" package/LICENSE >/dev/null 2>&1 || { echo "check-packages: $(basename "$tarball") has no LICENSE"; exit 1; }
done
echo
awk 'BEGIN { printf "%-24s %12s %16s %22s\n", "package", "tarball KiB", "unpacked KiB", "installed KiB (+deps)" }
     { printf "%-24s %12.1f %16d %22d\n", $1, $2 / 1024, $3, $4 }' "$sizes"
echo
echo "check-packages: ok"
