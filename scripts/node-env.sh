# Sourced by the npm scripts (test.sh, start.sh, bench.sh, compat.sh): puts a supported Node.js
# first on PATH. edgescope is developed and tested on the current LTS lines (22 and 24; Node 20
# reached end of life on 2026-04-30, and current wrangler asks for >= 22.12). When the machine's
# own node is older, the `node` package from the npm registry (which ships the official binaries)
# is installed once into .toolchain/ and used from there; safe to run every time.
#   EDGESCOPE_NODE=24   use that major line instead of the default (the compatibility check does).
EDGESCOPE_NODE_DEFAULT=22
edgescope_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
edgescope_use_node() {
  local want="${EDGESCOPE_NODE:-}"
  local system_major=0
  command -v node >/dev/null && system_major=$(edgescope_node_major node)
  if [ -z "$want" ] && [ "$system_major" -ge 22 ]; then return 0; fi
  want="${want:-$EDGESCOPE_NODE_DEFAULT}"
  if [ "$system_major" = "$want" ]; then return 0; fi
  local dir=".toolchain/node$want"
  if [ ! -x "$dir/node_modules/.bin/node" ] || [ "$(edgescope_node_major "$dir/node_modules/.bin/node")" != "$want" ]; then
    echo "[deps] installing Node.js $want into $dir (system node is $(node --version 2>/dev/null || echo 'missing'))"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node@$want" >/dev/null
  fi
  export PATH="$PWD/$dir/node_modules/.bin:$PATH"
}
edgescope_use_node
