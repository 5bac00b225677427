# shellcheck shell=bash
# Puts Node.js 22 (or newer) and pnpm 10 first on PATH. Source it: `. scripts/toolchain.sh`.
# Machines that ship an older Node get Node 22 from the npm registry's `node@22` package,
# installed once into a cache folder outside the checkout (IDEMKIT_TOOLCHAIN_DIR).

idemkit_toolchain_dir="${IDEMKIT_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/idemkit/toolchain}"

idemkit_node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ -x "$idemkit_toolchain_dir/bin/node" ]; then
  PATH="$idemkit_toolchain_dir/bin:$PATH"
fi

if [ "$(idemkit_node_major)" -lt 22 ]; then
  echo "toolchain: Node $(node --version 2>/dev/null || echo none) is older than 22; installing node@22 into $idemkit_toolchain_dir" >&2
  npm install --global --prefix "$idemkit_toolchain_dir" --no-audit --no-fund node@22 >&2
  PATH="$idemkit_toolchain_dir/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version | cut -d. -f1)" != 10 ]; then
  echo "toolchain: installing pnpm@10 into $idemkit_toolchain_dir" >&2
  npm install --global --prefix "$idemkit_toolchain_dir" --no-audit --no-fund pnpm@10 >&2
  PATH="$idemkit_toolchain_dir/bin:$PATH"
fi

export PATH
hash -r
