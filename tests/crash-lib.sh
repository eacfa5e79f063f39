# Sourced, after tests/e2e-lib.sh, by the tests whose host dies of a fatal
# signal on purpose (tests/test-crash-*.sh): no core file is left behind,
# no leak check is made (memory errors are still reported under valgrind),
# and in the sanitizer build AddressSanitizer leaves the fatal signals to
# the host's crash guard (which would otherwise hand them on to its
# report, after the guard's own line).
ulimit -c 0 2>/dev/null
TD_VALGRIND_LEAK_CHECK=no
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0
export TD_VALGRIND_LEAK_CHECK ASAN_OPTIONS
