#!/bin/bash
# Checks one man page of installer/man against its binary:
#   - every long option the binary's --help prints (for meridian-sim also `fault --help` and
#     `traffic --help`) is documented: it appears in a .TP tag of the page;
#   - every command and subcommand --help lists (meridian-sim: fault/scenario/traffic and their
#     verbs, plus the fault kinds; meridian-ctl: the Commands section) appears in a .TP tag;
#   - no unescaped hyphen outside comments (options are written \-\-name);
#   - the built NAME.1.gz is gzip -9n output (no file name, no time stamp) of the configured
#     page, parses for whatis (lexgrog) and renders without a single warning the way lintian
#     renders it (man --warnings).
# Usage: check_man_page.sh NAME PAGE_SOURCE PAGE_GZ VERSION BINARY
set -u
# shellcheck source=tests/installer/help-text.sh
source "$(dirname "${BASH_SOURCE[0]}")/../help-text.sh"

name=$1 page=$2 gz=$3 version=$4 binary=$5
failures=0
fail()
{
    echo "FAIL: $name: $*"
    failures=$((failures + 1))
}

[[ -f $page ]] || { echo "FAIL: $page does not exist"; exit 1; }
[[ -x $binary ]] || { echo "FAIL: $binary is not an executable"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- What the binary says about itself -------------------------------------------------------
help=$tmp/help.txt
: >"$help"
main_help="" admin_help="" traffic_help=""
# help_of VAR [ARG...]: VAR = the output of `BINARY ARG... --help`, which must succeed.
help_of()
{
    local -n out=$1
    shift
    "$binary" "$@" --help >"$tmp/one.txt" 2>&1 || fail "'$(basename "$binary") $* --help' exited with $?"
    cat "$tmp/one.txt" >>"$help"
    # shellcheck disable=SC2034 # out is a name reference: this assigns the caller's variable
    out=$(cat "$tmp/one.txt")
}
help_of main_help
[[ -n $main_help ]] || fail "--help printed nothing"

commands=() # phrases such as "fault inject" or "history export"
words_to_check=()
case $name in
    meridian-sim)
        help_of admin_help fault
        help_of traffic_help traffic
        [[ $traffic_help == *--gateway* ]] || fail "'traffic --help' does not show --gateway"
        # The commands: "  meridian-sim fault list|inject|clear ..." in --help.
        while read -r cmd; do
            commands+=("$cmd")
        done < <(sed -n 's/^  meridian-sim \([a-z][a-z-]*\).*/\1/p' <<<"$main_help")
        ((${#commands[@]} >= 3)) || fail "found only ${#commands[@]} commands in --help"
        # Their verbs: "  fault inject <target> ...", "  scenario pause | resume | skip".
        while IFS= read -r line; do
            cmd=${line%% *}
            rest=${line#"$cmd"}
            mapfile -t parts <<<"${rest// | /$'\n'}"
            for part in "${parts[@]}"; do
                read -r verb _ <<<"$part"
                [[ $verb =~ ^[a-z][a-z-]*$ ]] && commands+=("$cmd $verb")
            done
        done < <(sed -n 's/^  \(fault\|scenario\)\( .*\)$/\1\2/p' <<<"$admin_help")
        # The fault kinds.
        kinds=$(sed -n 's/^fault kinds: //p' <<<"$admin_help")
        [[ -n $kinds ]] || fail "no 'fault kinds:' line in 'fault --help'"
        IFS=', ' read -r -a words_to_check <<<"$kinds"
        ;;
    meridian-ctl)
        # "Commands:" up to the blank line; a command is the synopsis' leading lowercase words,
        # per alternative ("preview drain REGION ... | preview pin REGION ...").
        while IFS= read -r part; do
            phrase=$(leading_words "$part")
            [[ -n $phrase ]] && commands+=("$phrase")
        done < <(sed -n '/^Commands:/,/^$/p' <<<"$main_help" | grep -E '^  [a-z]' | help_alternatives)
        ((${#commands[@]} >= 10)) || fail "found only ${#commands[@]} commands in --help"
        ;;
esac

mapfile -t options < <(grep -oE -- '--[a-z][a-z0-9-]*' "$help" | sort -u)
((${#options[@]} > 0)) || fail "no long options found in --help"

# --- The page as text: the tags of its .TP items, with font escapes and \- resolved ----------
normalize()
{
    sed -E -e 's/\\f(\[[^]]*\]|\(..|.)//g' -e 's/\\-/-/g' -e 's/\\ / /g' -e 's/\\\(.{2}//g' \
        -e 's/\\&//g' -e 's/^\.[A-Za-z]+ ?//' -e 's/"//g' -e 's/[[:space:]]+/ /g'
}
tags=$tmp/tags.txt
awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' "$page" | normalize >"$tags"
[[ -s $tags ]] || fail "the page has no .TP items"

in_tags()
{
    grep -qE -- "(^|[^a-z0-9_-])$1([^a-z0-9_-]|\$)" "$tags"
}
for option in "${options[@]}"; do
    in_tags "$option" || fail "option $option (from --help) is not documented (no .TP item names it)"
done
for phrase in "${commands[@]}"; do
    in_tags "$phrase" || fail "command '$phrase' (from --help) is not documented (no .TP item names it)"
done
for word in "${words_to_check[@]}"; do
    in_tags "$word" || fail "'$word' (from --help) is not documented (no .TP item names it)"
done
echo "$name: checked ${#options[@]} options, ${#commands[@]} commands, ${#words_to_check[@]} other words from --help"

# Sections a Debian man page is expected to have.
for section in NAME SYNOPSIS DESCRIPTION OPTIONS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qE "^\.SH \"?$section\"?\$" "$page" || fail "no $section section"
done
# An unescaped '-' outside comments renders as a hyphen, not the minus an option needs.
if bad=$(grep -nE '(^|[^\\])-' "$page" | grep -v '^[0-9]*:\.\\"'); then
    fail "unescaped hyphens (write \\-):"$'\n'"$bad"
fi

# --- The built page ---------------------------------------------------------------------------
if [[ ! -f $gz ]]; then
    fail "$gz does not exist (build the man_pages target)"
else
    gzip -t "$gz" 2>/dev/null || fail "$gz is not a valid gzip file"
    # Header: ID1 ID2 CM FLG MTIME(4). No FNAME flag (0x08), MTIME 0: what gzip -n writes.
    read -r -a header < <(od -An -tu1 -N8 "$gz")
    ((header[3] & 8)) && fail "$gz stores a file name (use gzip -n)"
    ((header[4] + header[5] + header[6] + header[7])) && fail "$gz stores a time stamp (use gzip -n)"
    sed "s/@PROJECT_VERSION@/$version/g" "$page" >"$tmp/expected.1"
    gzip -dc "$gz" >"$tmp/built.1"
    cmp -s "$tmp/expected.1" "$tmp/built.1" || fail "$gz is not the configured $page (stale build?)"
    if grep -n '@[A-Za-z_]*@' "$tmp/built.1"; then
        fail "unconfigured @VARIABLES@ left in $gz"
    fi
    grep -q "^\.TH .*\"Meridian $version\"" "$tmp/built.1" || fail ".TH does not carry the version $version"

    if command -v man >/dev/null 2>&1; then
        # Exactly what lintian runs (groff-message).
        warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$gz" 2>&1 >/dev/null)
        [[ -z $warnings ]] || fail "man --warnings reports:"$'\n'"$warnings"
        rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$gz" 2>/dev/null)
        grep -q "^NAME" <<<"$rendered" || fail "the rendered page has no NAME heading"
    else
        echo "SKIP: man is not installed: the page was not rendered"
    fi
    if command -v lexgrog >/dev/null 2>&1; then
        whatis=$(LC_ALL=C.UTF-8 lexgrog "$gz" 2>&1) || fail "lexgrog cannot parse the NAME section: $whatis"
        [[ $whatis == *"\"$name - "* ]] || fail "whatis entry is not '$name - ...': $whatis"
    else
        echo "SKIP: lexgrog is not installed: the whatis entry was not checked"
    fi
fi

if ((failures > 0)); then
    echo "$name: $failures failure(s)"
    exit 1
fi
echo "$name: OK"
