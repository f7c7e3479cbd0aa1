# SPDX-License-Identifier: Apache-2.0
# exports.awk: the symbols libmav2 exports, one a line: every mav2_* function or
# object declared in the installed headers given as input (comments ignored).
{
    text = text $0 "\n"
}
END {
    while ((i = index(text, "/*")) > 0) {
        rest = substr(text, i + 2)
        j = index(rest, "*/")
        text = substr(text, 1, i - 1) " " (j > 0 ? substr(rest, j + 2) : "")
    }
    gsub(/\/\/[^\n]*/, "", text)
    all = text
    # functions and arrays: the name before "(" or "["
    while (match(text, /mav2_[a-z0-9_]+[ \t\n]*[(\[]/)) {
        name = substr(text, RSTART, RLENGTH)
        sub(/[ \t\n]*[(\[]$/, "", name)
        out(name)
        text = substr(text, RSTART + RLENGTH)
    }
    # other objects: "extern TYPE mav2_name;"
    text = all
    while (match(text, /extern[^;{}()]*[ *]mav2_[a-z0-9_]+[ \t\n]*;/)) {
        decl = substr(text, RSTART, RLENGTH)
        match(decl, /mav2_[a-z0-9_]+[ \t\n]*;$/)
        name = substr(decl, RSTART, RLENGTH)
        sub(/[ \t\n]*;$/, "", name)
        out(name)
        text = substr(text, index(text, decl) + length(decl))
    }
}

function out(name)
{
    if (!(name in seen)) {
        seen[name] = 1
        print name
    }
}
