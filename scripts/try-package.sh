#!/usr/bin/env bash
# Installs a dbt package from a git repository into a scratch project with `tsql deps` and
# compiles it on DuckDB: a first check that tsql loads all of its macros and tests.
#   scripts/try-package.sh https://github.com/dbt-labs/dbt-utils.git 1.3.0
# The scratch project is left in the printed folder: add models that call the package there
# and run `tsql build --project-dir <folder>`.
set -euo pipefail
url="${1:?usage: scripts/try-package.sh <git-url> [revision]}"
revision="${2:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/tsql-try-package-XXXXXX")"
cat > "$dir/tsql_project.yml" <<YAML
name: try_package
profile: try_package
YAML
cat > "$dir/profiles.yml" <<YAML
try_package:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: try.duckdb
      schema: main
YAML
{
  echo "packages:"
  echo "  - git: \"$url\""
  if [ -n "$revision" ]; then echo "    revision: \"$revision\""; fi
} > "$dir/packages.yml"
mkdir -p "$dir/models"
echo "select 1 as id" > "$dir/models/one.sql"
node "$here/bin/tsql.js" deps --project-dir "$dir"
node "$here/bin/tsql.js" compile --project-dir "$dir"
echo "scratch project: $dir"
