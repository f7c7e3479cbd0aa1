# SPDX-License-Identifier: Apache-2.0
# Sourced before each test: sanitizer settings when the build has them.
# Programs we did not build (openssl, softhsm2-util) get the ASan runtime
# preloaded only where a test loads our provider into them (MH_ASAN_PRELOAD).
if [ -n "${MH_SANITIZERS:-}" ]; then
    ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:halt_on_error=1:suppressions=${MH_TOP_SRCDIR}/tests/harness/asan.supp"
    LSAN_OPTIONS="suppressions=${MH_TOP_SRCDIR}/tests/harness/lsan.supp:print_suppressions=0"
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    MH_ASAN_PRELOAD=$(${CC:-gcc} -print-file-name=libasan.so)
    export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS MH_ASAN_PRELOAD
fi
