#!/bin/bash
# Checks one bash completion script of installer/completions against its binary's --help:
# sources it (in this plain, non-interactive bash: no bash-completion helpers), simulates the
# words of a command line (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT), calls the completion
# function and looks at COMPREPLY. When bash-completion is installed, every case runs a second
# time with its helpers (_init_completion) loaded.
# Usage: check_completion.sh NAME SCRIPT BINARY SCENARIO_DIR
set -u
# shellcheck source=tests/installer/help-text.sh
source "$(dirname "${BASH_SOURCE[0]}")/../help-text.sh"

name=$1 script=$2 binary=$3 scenario_dir=$4
failures=0
checks=0
mode=plain
fail()
{
    echo "FAIL ($mode): $name: $*"
    failures=$((failures + 1))
}

[[ -f $script ]] || { echo "FAIL: $script does not exist"; exit 1; }
[[ -x $binary ]] || { echo "FAIL: $binary is not an executable"; exit 1; }
[[ -d $scenario_dir ]] || { echo "FAIL: $scenario_dir is not a directory"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/files/subdir" "$tmp/scenarios"
: >"$tmp/files/world-test.yaml"
: >"$tmp/files/other.txt"
printf 'name: test-drill\ntitle: "a drill"\n' >"$tmp/scenarios/10-some-file.yaml"
printf 'title: "no name key"\n' >"$tmp/scenarios/nameless.yaml"

# --- What the binary says about itself -------------------------------------------------------
help_of()
{
    "$binary" "$@" --help 2>&1 || echo "FAIL: '$(basename "$binary") $* --help' exited with $?" >&2
}
long_options()
{
    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# --- Completing -------------------------------------------------------------------------------
# complete_words WORD... : completes the last word (the cursor is at its end); COMPREPLY is set.
complete_words()
{
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    # As bash would see the line: no blanks around '=' (--format=csv is 3 words, 1 on the line).
    local w previous=""
    COMP_LINE=""
    for w in "${COMP_WORDS[@]}"; do
        if [[ -z $COMP_LINE || $w == "=" || $previous == "=" ]]; then
            COMP_LINE+=$w
        else
            COMP_LINE+=" $w"
        fi
        previous=$w
    done
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    local func
    func=$(complete -p "$1" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
    if [[ -z $func ]]; then
        fail "sourcing the script registers no completion function for $1"
        return 1
    fi
    "$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# expect "WORD..." ITEM... : completing the words must offer every ITEM.
expect()
{
    local line=$1 item
    shift
    local -a words
    read -r -a words <<<"$line"
    [[ $line == *" " ]] && words+=("") # a trailing space: complete an empty word
    complete_words "$name" "${words[@]}" || return
    checks=$((checks + 1))
    for item in "$@"; do
        if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$item"; then
            fail "'$name $line<TAB>' does not offer '$item' (offers: ${COMPREPLY[*]:-nothing})"
        fi
    done
}

# expect_only "WORD..." ITEM... : completing the words must offer exactly the ITEMs.
expect_only()
{
    local line=$1
    shift
    expect "$line" "$@"
    local want got
    want=$(printf '%s\n' "$@" | sort -u)
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u)
    [[ $want == "$got" ]] || fail "'$name $line<TAB>' offers '${got//$'\n'/ }', expected only '${want//$'\n'/ }'"
}

# expect_words WORD... -- ITEM... : like expect, with the words given one by one (for '=').
expect_words()
{
    local -a words=()
    while [[ $1 != -- ]]; do
        words+=("$1")
        shift
    done
    shift
    complete_words "$name" "${words[@]}" || return
    checks=$((checks + 1))
    local item
    for item in "$@"; do
        printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$item" ||
            fail "'$name ${words[*]}<TAB>' does not offer '$item' (offers: ${COMPREPLY[*]:-nothing})"
    done
}

files="$tmp/files/"
file_cases()
{
    local option
    for option in "$@"; do
        expect "$option ${files}wor" "${files}world-test.yaml"
        expect "$option ${files}" "${files}world-test.yaml" "${files}other.txt" "${files}subdir"
    done
}

scenario_names()
{
    local file n
    for file in "$1"/*.yaml; do
        n=$(sed -n 's/^name:[[:space:]]*["'\'']\{0,1\}\([A-Za-z0-9_.-]*\).*/\1/p' "$file" | head -n 1)
        [[ -n $n ]] || { n=${file##*/}; n=${n%.yaml}; }
        echo "$n"
    done
}

# --- The cases, per command -------------------------------------------------------------------
run_cases()
{
    export MERIDIAN_SCENARIO_DIR=$scenario_dir
    local -a options names
    case $name in
        meridian-gateway)
            mapfile -t options < <(help_of | long_options)
            ((${#options[@]} >= 5)) || fail "found only ${#options[@]} options in --help"
            expect "--c" --config
            expect_only "-" "${options[@]}"
            expect "--l" --listen
            file_cases --config -c
            expect_words --config = "${files}wor" -- "${files}world-test.yaml"
            ;;
        meridian)
            mapfile -t options < <(help_of | long_options)
            ((${#options[@]} >= 10)) || fail "found only ${#options[@]} options in --help"
            expect_only "-" "${options[@]}"
            expect "--no" --no-traffic
            file_cases --world --config --history --screenshot
            mapfile -t names < <(scenario_names "$scenario_dir")
            ((${#names[@]} > 0)) || fail "no scenarios in $scenario_dir"
            expect_only "--screenshot x.png --scenario " "${names[@]}"
            expect "--size " 1600x1000
            ;;
        meridian-sim)
            local main admin traffic
            main=$(help_of)
            admin=$(help_of fault)
            traffic=$(help_of traffic)
            mapfile -t options < <(sed -n '/^Options:/,$p' <<<"$main" | long_options)
            ((${#options[@]} >= 10)) || fail "found only ${#options[@]} options in --help"
            expect_only "-" "${options[@]}"
            mapfile -t options < <(long_options <<<"$traffic")
            ((${#options[@]} >= 10)) || fail "found only ${#options[@]} options in traffic --help"
            expect_only "traffic -" "${options[@]}"
            # Commands: "  meridian-sim fault list|inject|clear ..." in --help.
            local -a commands
            mapfile -t commands < <(sed -n 's/^  meridian-sim \([a-z][a-z-]*\).*/\1/p' <<<"$main")
            ((${#commands[@]} >= 3)) || fail "found only ${#commands[@]} commands in --help"
            expect_only " " "${commands[@]}"
            # Verbs and their options: "  fault inject <target> <kind> [value] [--for D] ...".
            local cmd line verb part
            for cmd in fault scenario; do
                local -a verbs=()
                while IFS= read -r line; do
                    local -a parts
                    local rest=${line#"$cmd"}
                    mapfile -t parts <<<"${rest// | /$'\n'}"
                    for part in "${parts[@]}"; do
                        read -r verb _ <<<"$part"
                        [[ $verb =~ ^[a-z][a-z-]*$ ]] || continue
                        verbs+=("$verb")
                        mapfile -t options < <(long_options <<<"$part")
                        ((${#options[@]} > 0)) && expect "$cmd $verb -" "${options[@]}"
                    done
                done < <(sed -n "s/^  \($cmd .*\)\$/\1/p" <<<"$admin")
                ((${#verbs[@]} >= 3)) || fail "found only ${#verbs[@]} verbs of $cmd in fault --help"
                mapfile -t verbs < <(printf '%s\n' "${verbs[@]}" | sort -u)
                expect_only "$cmd " "${verbs[@]}"
                expect "$cmd -" --admin
            done
            expect "fault in" inject
            # Fault kinds, from "fault kinds: down, hang, ..." in fault --help.
            local -a kinds
            IFS=', ' read -r -a kinds <<<"$(sed -n 's/^fault kinds: //p' <<<"$admin")"
            ((${#kinds[@]} >= 5)) || fail "found only ${#kinds[@]} fault kinds in fault --help"
            expect_only "fault inject eu-west-1 " "${kinds[@]}"
            expect "fault clear eu-west-1 " "${kinds[@]}"
            # Scenario names: the name: keys of the *.yaml files in the scenario directory.
            mapfile -t names < <(scenario_names "$scenario_dir")
            ((${#names[@]} > 0)) || fail "no scenarios in $scenario_dir"
            expect_only "scenario start " "${names[@]}"
            expect_only "--play " "${names[@]}"
            expect_only "--speed 10 --play " "${names[@]}"
            # --scenarios DIR on the line wins; a file without name: is named after the file.
            expect_only "--scenarios $tmp/scenarios --play " test-drill nameless
            expect "--scenarios ${files}" "${files}subdir"
            if printf '%s\n' "${COMPREPLY[@]}" | grep -q other.txt; then
                fail "'--scenarios DIR<TAB>' offers files, not just directories"
            fi
            file_cases --world --gateway-config-out
            expect "traffic --world ${files}wor" "${files}world-test.yaml"
            ;;
        meridian-ctl)
            local help
            help=$(help_of)
            # Global options: the Options section.
            mapfile -t options < <(sed -n '/^Options:/,/^$/p' <<<"$help" | long_options)
            ((${#options[@]} >= 5)) || fail "found only ${#options[@]} options in --help"
            expect "-" "${options[@]}"
            expect "--t" --token-file --timeout
            # Commands: the Commands section; per alternative, the leading lowercase words are
            # the command and the --options that follow must be offered after it.
            local -a top=()
            local part phrase
            while IFS= read -r part; do
                phrase=$(leading_words "$part")
                [[ -n $phrase ]] || continue
                top+=("${phrase%% *}")
                if [[ $phrase == *" "* ]]; then
                    expect "${phrase% *} " "${phrase##* }"
                fi
                mapfile -t options < <(long_options <<<"$part")
                ((${#options[@]} > 0)) && expect "$phrase -" "${options[@]}"
            done < <(sed -n '/^Commands:/,/^$/p' <<<"$help" | sed -E ':a; N; $!ba; s/\n {15,}\[/ [/g' |
                grep -E '^  [a-z]' | help_alternatives)
            mapfile -t top < <(printf '%s\n' "${top[@]}" | sort -u)
            ((${#top[@]} >= 10)) || fail "found only ${#top[@]} commands in --help"
            expect " " "${top[@]}"
            expect_only "dr" drain
            expect_only "--json dr" drain
            expect_only "--gateway http://h:1 un" undrain unpin
            # Enumerated values, from the help text (--kind events|audit|alerts|decisions).
            local -a values
            IFS='|' read -r -a values <<<"$(grep -oE -- '--format [a-z|]+' <<<"$help" | head -n 1 | cut -d' ' -f2)"
            ((${#values[@]} >= 2)) || fail "no --format values in --help"
            expect_only "history export --format " "${values[@]}"
            expect_words history export --format = -- "${values[@]}"
            IFS='|' read -r -a values <<<"$(grep -oE -- '--kind [a-z|]+' <<<"$help" | head -n 1 | cut -d' ' -f2)"
            ((${#values[@]} >= 4)) || fail "no --kind values in --help"
            expect_only "history export --since 1h --kind " "${values[@]}"
            # --scope all|eu|country:DE|model:NAME: the words, and the prefixes with their colon.
            mapfile -t values < <(grep -oE -- '--scope [A-Za-z:|]+' <<<"$help" | head -n 1 | cut -d' ' -f2 |
                tr '|' '\n' | sed 's/:.*/:/')
            ((${#values[@]} >= 4)) || fail "no --scope values in --help"
            expect_only "pin eu-west-1 --scope " "${values[@]}"
            expect "unpin --scope co" country:
            expect "explain --geo DE --residency " eu
            expect "history export --output ${files}wor" "${files}world-test.yaml"
            file_cases --token-file
            expect_only "pin eu-west-1 --reason " # free text: nothing to offer
            ;;
        *)
            fail "unknown command name"
            ;;
    esac
}

# shellcheck source=/dev/null
source "$script" || fail "sourcing $script failed"
run_cases

# Once more with bash-completion's helpers, as an interactive shell with bash-completion has them.
bash_completion=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}
if [[ -r $bash_completion ]]; then
    mode=bash-completion
    # shellcheck source=/dev/null
    source "$bash_completion" >/dev/null 2>&1
    if declare -F _init_completion >/dev/null; then
        # shellcheck source=/dev/null
        source "$script"
        run_cases
    else
        fail "$bash_completion defines no _init_completion"
    fi
else
    echo "SKIP: bash-completion is not installed: checked without its helpers only"
fi

echo "$name: $checks completion checks"
if ((failures > 0)); then
    echo "$name: $failures failure(s)"
    exit 1
fi
echo "$name: OK"
