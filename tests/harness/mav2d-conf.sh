# SPDX-License-Identifier: Apache-2.0
# mav2d-conf.sh, sourced (bash) by tests/e2e/e2e-common.sh and bench/bench-lib.sh: the
# mav2d configuration of the e2e tests and the benches, written in one place.
#   mav2d_conf DIR NAME PORT LANES POLL [SETTING...] [-- SERVICE-SETTING...]
#     writes DIR/NAME.conf (mode 0600): [profile NAME], the session key on the account
#     (rpc-url $RPC_URL, bundler-url $BUNDLER_URL, account $ACC, key $SK, entity-id 1,
#     global = true) and each SETTING ("key = value"); then [service] on that profile:
#     listen DIR/NAME.sock, tcp 127.0.0.1:PORT, bearer-token-file DIR/token, lanes LANES,
#     state-dir DIR/NAME-state, poll-interval POLL (ms) and each SERVICE-SETTING, last.
mav2d_conf() {
    local dir=$1 name=$2 port=$3 lanes=$4 poll=$5
    shift 5
    (
        umask 077
        exec >"$dir/$name.conf"
        printf '%s\n' "[profile $name]" "rpc-url = $RPC_URL" "bundler-url = $BUNDLER_URL" \
            "account = $ACC" "key = $SK" "entity-id = 1" "global = true"
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
            printf '%s\n' "$1"
            shift
        done
        if [ $# -gt 0 ]; then shift; fi
        printf '%s\n' "[service]" "profile = $name" "listen = $dir/$name.sock" \
            "tcp = 127.0.0.1:$port" "bearer-token-file = $dir/token" "lanes = $lanes" \
            "state-dir = $dir/$name-state" "poll-interval = $poll"
        if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
    )
}
