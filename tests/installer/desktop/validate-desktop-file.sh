#!/usr/bin/env bash
# desktop-file-validate on the console's desktop entry: any error, warning or hint fails.
# Usage: validate-desktop-file.sh FILE.desktop
set -u
file=$1
if ! command -v desktop-file-validate >/dev/null 2>&1; then
  echo "FAIL: desktop-file-validate is not installed (Debian package desktop-file-utils):" \
       "run scripts/install-deps --test" >&2
  exit 1
fi
output=$(desktop-file-validate "$file" 2>&1)
status=$?
if [[ $status -ne 0 || -n $output ]]; then
  echo "FAIL: desktop-file-validate $file (exit $status):" >&2
  echo "$output" >&2
  exit 1
fi
echo "PASS: desktop-file-validate $file: no errors, warnings or hints"
