# shellcheck shell=bash
# Sourced by the man-page and completion checks: the commands of a "Commands:" section of a
# --help text, where each line is "  SYNOPSIS  description" and a synopsis may hold
# alternatives ("preview drain REGION ... | preview pin REGION --scope ...").

# Each alternative of each command line on stdin, one a line.
help_alternatives() {
    local line synopsis
    local -a parts
    while IFS= read -r line; do
        synopsis=$(sed -E 's/^  //; s/  +.*$//' <<<"$line")
        mapfile -t parts <<<"${synopsis// | /$'\n'}"
        printf '%s\n' "${parts[@]}"
    done
}

# The command an alternative names: its leading lowercase words ("history export").
leading_words() {
    local word phrase=""
    for word in $1; do
        [[ $word =~ ^[a-z][a-z-]*$ ]] || break
        phrase+="${phrase:+ }$word"
    done
    printf '%s' "$phrase"
}
