#!/usr/bin/env bash
# The web app's build and checks, for the Makefile:
#   frontend/ci.sh build   build dist/ when it is missing or older than its sources (`make run`);
#                          without Node, say how to get it and succeed: the API works without the app
#   frontend/ci.sh test    npm ci if needed, codegen (stale generated code fails), lint, build, unit
#                          tests, end-to-end tests in Debian's Chromium (`make test`)
# Both do nothing until frontend/package.json exists.
set -euo pipefail
cd "$(dirname "$0")"

MIN_NODE=20.19  # Vite 8's floor (package.json "engines")

if [[ ! -f package.json ]]; then
    echo "frontend: no package.json yet, nothing to build or test"
    exit 0
fi

node_problem() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "Node.js and npm are not installed"
        return
    fi
    if ! node -e "const [a, b] = process.versions.node.split('.').map(Number), [x, y] = '$MIN_NODE'.split('.').map(Number);
                  process.exit(a > x || (a === x && b >= y) ? 0 : 1)"; then
        echo "Node.js $(node --version) is too old"
    fi
}

how_to_get_node() {
    cat >&2 <<EOF
frontend: $1; the web app needs Node.js >= $MIN_NODE with npm.
  Debian 13 or later:  sudo apt-get install nodejs npm   (Debian 12's nodejs is 18: too old)
  anywhere else:       https://nodejs.org/en/download (the LTS), or nvm
EOF
}

npm_ci_if_needed() {
    # npm ci wipes node_modules; only when it is missing or older than the lock file
    if [[ ! -f node_modules/.installed || package-lock.json -nt node_modules/.installed ]]; then
        npm ci --no-audit --no-fund
        touch node_modules/.installed
    fi
}

stale_build() {
    [[ -f dist/index.html ]] || return 0
    local sources=(src public scripts index.html package.json package-lock.json ./*.ts ./tsconfig*.json ../schema.graphql ../graphql)
    local existing=()
    for source in "${sources[@]}"; do
        if [[ -e $source ]]; then existing+=("$source"); fi
    done
    [[ -n $(find "${existing[@]}" -type f -newer dist/index.html -print -quit) ]]
}

build() {
    local problem
    problem=$(node_problem)
    if [[ -n $problem ]]; then
        how_to_get_node "$problem"
        echo "frontend: starting the API without the web app" >&2
        return 0
    fi
    if ! stale_build; then
        echo "frontend: dist/ is up to date"
        return 0
    fi
    npm_ci_if_needed
    npm run codegen  # the operation documents or the schema may have changed
    npm run build
}

check() {
    local problem
    problem=$(node_problem)
    if [[ -n $problem ]]; then
        how_to_get_node "$problem"
        return 1
    fi
    npm_ci_if_needed
    npm run codegen
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # modified or new generated files: someone changed the schema or an operation without codegen
        if ! git diff --stat --exit-code -- src/gql || [[ -n $(git ls-files --others --exclude-standard -- src/gql) ]]; then
            echo "frontend: src/gql is stale: run 'npm run codegen' in frontend/ and commit the result" >&2
            return 1
        fi
    fi
    npm run lint
    npm run build
    npm test -- --passWithNoTests  # green until the first unit test lands
    if [[ -n $(compgen -G 'playwright.config.*') ]]; then
        export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
        if [[ ! -x $CHROMIUM_PATH ]]; then
            echo "frontend: no Chromium at $CHROMIUM_PATH: sudo apt-get install --no-install-recommends chromium" >&2
            return 1
        fi
        npm run e2e
    fi
}

case "${1:-}" in
    build) build ;;
    test) check ;;
    *)
        echo "usage: $0 build|test" >&2
        exit 2
        ;;
esac
