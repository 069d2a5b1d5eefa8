#!/usr/bin/env bash
# appstreamcli validate --no-net --pedantic on the configured AppStream metainfo: errors (E:)
# and warnings (W:) fail; infos (I:) and pedantic notes (P:) are printed and accepted. The one
# pedantic note expected is cid-contains-uppercase-letter: the application ID io.meridian.Console
# follows the reverse-DNS convention of desktop-file names, with the capital of its last part.
# Usage: validate-metainfo.sh FILE.metainfo.xml
set -u
file=$1
if ! command -v appstreamcli >/dev/null 2>&1; then
  echo "FAIL: appstreamcli is not installed (Debian package appstream):" \
       "run scripts/install-deps --test" >&2
  exit 1
fi
output=$(appstreamcli validate --no-net --pedantic --no-color "$file" 2>&1)
status=$?
echo "$output"
if [[ $status -ne 0 ]] || grep -qE '^[EW]: ' <<<"$output"; then
  echo "FAIL: appstreamcli validate --no-net --pedantic $file (exit $status): errors or warnings above" >&2
  exit 1
fi
echo "PASS: appstreamcli validate --no-net --pedantic $file: no errors or warnings"
