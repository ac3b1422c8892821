#!/usr/bin/env bash
# `npm run test:pack`: the packed tarball works in a new Pulumi TypeScript project, away from this
# checkout. The project is made as `pulumi new typescript` makes it (files as in pulumi/templates
# typescript/), in a temporary folder where nothing of this repository is present but the tarball;
# the tarball and its peer dependencies are installed at this repository's locked versions, from
# npm's cache where it has them. Then: `import { Fleet } from "fleetmesh"` type-checks, and
# `fleetmesh plan` plans a TypeScript program and a JavaScript one. KEEP=1 keeps the folder.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/fleetmesh-pack.XXXXXX")"
case "$work/" in "$repo"/*) echo "pack-test: $work is inside the repository; set TMPDIR elsewhere" >&2; exit 1 ;; esac
started=$SECONDS
finish() {
  if [ "${KEEP:-}" = 1 ]; then echo "pack-test: kept $work"; else rm -rf "$work"; fi
  echo "pack-test: $((SECONDS - started)) s in all"
}
trap finish EXIT
step() { echo; echo "--- [$((SECONDS - started)) s] $1"; }
fail() { echo "pack-test: $*" >&2; exit 1; }
# Run from the repository: node would read the package.json of the folder it runs in.
locked() { (cd "$repo" && node -p "require('./package-lock.json').packages['node_modules/$1'].version"); }

step "npm pack (prepack builds dist/)"
(cd "$repo" && npm pack --pack-destination "$work" --loglevel warn)
tarball="$(ls "$work"/fleetmesh-*.tgz)"
echo "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) kB"

step "a new Pulumi TypeScript project"
app="$work/fleet-demo"
mkdir -p "$app/js-program"
types_node="$(locked @types/node)" typescript="$(locked typescript)" pulumi="$(locked @pulumi/pulumi)"
cd "$app"
cat > package.json <<EOF
{
  "name": "fleet-demo",
  "main": "index.ts",
  "devDependencies": {
    "@types/node": "$types_node",
    "typescript": "$typescript"
  },
  "dependencies": {
    "@pulumi/pulumi": "$pulumi"
  }
}
EOF
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "outDir": "bin",
    "target": "es2020",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "sourceMap": true,
    "experimentalDecorators": true,
    "pretty": true,
    "noFallthroughCasesInSwitch": true,
    "noImplicitReturns": true,
    "forceConsistentCasingInFileNames": true
  },
  "files": ["index.ts"]
}
EOF
cat > Pulumi.yaml <<'EOF'
name: fleet-demo
description: Two kind clusters meshed with Cilium, planned offline by fleetmesh
runtime: nodejs
EOF
cat > index.ts <<'EOF'
import * as pulumi from "@pulumi/pulumi";
import { Fleet, GlobalService } from "fleetmesh";

const config = new pulumi.Config();
const fleet = new Fleet("demo", {
  cilium: { version: config.get("ciliumVersion") ?? "1.18.12" },
  members: {
    east: { kind: {}, labels: { mesh: "web" } },
    west: { kind: {}, labels: { mesh: "web" } },
  },
  meshes: { web: { memberSelector: { matchLabels: { mesh: "web" } } } },
});

new GlobalService("web", { mesh: fleet.meshes.web, fleet, namespace: "web", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] });

export const meshMembers = fleet.meshes.web.members;

// Never run: proves the types are fleetmesh's own, not `any` (then the directive would be unused).
export function misdeclared(): Fleet {
  // @ts-expect-error members are declarations, not a count
  return new Fleet("typo", { members: 2 });
}
EOF
# A JavaScript program (Pulumi.yaml's main names a .js file): run as it is.
cat > js-program/Pulumi.yaml <<'EOF'
name: fleet-js
runtime: nodejs
main: main.js
EOF
cat > js-program/main.js <<'EOF'
const { Fleet } = require("fleetmesh");

const fleet = new Fleet("js", {
  members: { a: { kind: {}, labels: { mesh: "m" } }, b: { kind: {}, labels: { mesh: "m" } } },
  meshes: { m: { memberSelector: { matchLabels: { mesh: "m" } } } },
});
exports.meshMembers = fleet.meshes.m.members;
EOF

step "npm install the tarball and its peers (strict peer dependencies)"
peers=()
for peer in $(cd "$repo" && node -p "Object.keys(require('./package.json').peerDependencies).join(' ')"); do
  peers+=("$peer@$(locked "$peer")")
done
echo "${peers[*]}"
bash "$repo/scripts/install-retry.sh" npm install --prefer-offline --no-audit --no-fund --loglevel warn --strict-peer-deps --legacy-peer-deps=false "$tarball" "${peers[@]}"
npm ls --all > /dev/null || fail "npm ls reports missing or invalid dependencies"
sdks="$(find node_modules -path '*/@pulumi/pulumi/package.json' | wc -l)"
[ "$sdks" = 1 ] || fail "$sdks copies of @pulumi/pulumi installed; the project must hold one"
case "$(node -p "require.resolve('fleetmesh')")" in "$app"/node_modules/fleetmesh/dist/*) ;; *) fail "fleetmesh does not resolve to the installed build" ;; esac

step "tsc --noEmit (the project's tsconfig, as pulumi new writes it)"
npx --no -- tsc --noEmit
[ ! -e bin ] || fail "tsc --noEmit wrote bin/"

# Runs a plan, then checks its exit code and that every expected line is in its output.
plan_ok() {
  local dir="$1" name="$2"; shift 2
  local out code=0
  out="$(npx --no -- fleetmesh plan "$dir" --out "$work/plan-$name" --report "$work/report-$name/PLAN.md" 2>&1)" || code=$?
  echo "$out" | sed -n '1,4p'
  [ "$code" = 0 ] || { echo "$out"; fail "fleetmesh plan $dir exited $code"; }
  for line in "$@"; do
    grep -qxF -- "$line" <<< "$out" || { echo "$out"; fail "fleetmesh plan $dir: no line '$line'"; }
  done
  # The report, with its SVG drawn by the installed Graphviz (WebAssembly, an ESM package the build requires).
  grep -q '^```mermaid$' "$work/report-$name/PLAN.md" || fail "fleetmesh plan $dir: the report has no picture"
  grep -q '<svg' "$work/report-$name/PLAN.svg" || fail "fleetmesh plan $dir: no SVG beside the report"
}

step "fleetmesh plan . (TypeScript)"
plan_ok . ts \
  "fleetmesh:index:Fleet  demo" \
  "  fleetmesh:index:Member  demo-east" \
  "  fleetmesh:index:Member  demo-west" \
  "  fleetmesh:index:ClusterMesh  demo-web" \
  "fleetmesh:index:GlobalService  web" \
  "Fleet demo: member allocation" \
  "ClusterMesh web (cilium): 2 members"

step "fleetmesh plan js-program (JavaScript)"
plan_ok js-program js \
  "fleetmesh:index:Fleet  js" \
  "Fleet js: member allocation" \
  "ClusterMesh m (cilium): 2 members"

echo
echo "pack-test: passed in $((SECONDS - started)) s"
