#!/bin/sh
# A fake runc for tests without root (go-runc's approach). Each call appends its argv, one line,
# to $FAKE_RUNC_CALLS (and NOTIFY_SOCKET=... when that is set in its environment). It answers
# --version and `features` (from the file $FAKE_RUNC_FEATURES, or "unknown command" without it)
# like runc 1.1; for the subcommand named by $FAKE_RUNC_COMMAND (every one when unset) it prints
# $FAKE_RUNC_STDOUT, writes $FAKE_RUNC_STDERR to stderr and $FAKE_RUNC_LOG_MESSAGE as a JSON
# error line to --log, and exits with $FAKE_RUNC_EXIT (default 0). Other subcommands succeed silently.
[ -n "$FAKE_RUNC_CALLS" ] && printf '%s\n' "$*" >> "$FAKE_RUNC_CALLS"
[ -n "$FAKE_RUNC_CALLS" ] && [ -n "$NOTIFY_SOCKET" ] && printf 'NOTIFY_SOCKET=%s\n' "$NOTIFY_SOCKET" >> "$FAKE_RUNC_CALLS"
log=
while [ $# -gt 0 ]; do
  case "$1" in
    --root|--log-format) shift 2 ;;
    --log) log=$2; shift 2 ;;
    --systemd-cgroup) shift ;;
    *) break ;;
  esac
done
command=$1
case "$command" in
  --version)
    printf 'runc version 1.1.5-fake\ncommit: fake\nspec: 1.0.2-dev\ngo: go1.19\nlibseccomp: 2.5.4\n'
    exit 0 ;;
  features)
    if [ -n "$FAKE_RUNC_FEATURES" ]; then cat "$FAKE_RUNC_FEATURES"; exit 0; fi
    echo 'No help topic for '"'"'features'"'" >&2
    exit 1 ;;
esac
if [ -n "$FAKE_RUNC_COMMAND" ] && [ "$FAKE_RUNC_COMMAND" != "$command" ]; then exit 0; fi
[ -n "$FAKE_RUNC_STDOUT" ] && printf '%s' "$FAKE_RUNC_STDOUT"
[ -n "$FAKE_RUNC_STDERR" ] && printf '%s' "$FAKE_RUNC_STDERR" >&2
if [ -n "$FAKE_RUNC_LOG_MESSAGE" ] && [ -n "$log" ]; then
  printf '{"level":"info","msg":"starting","time":"2024-01-01T00:00:00Z"}\n{"level":"error","msg":"%s","time":"2024-01-01T00:00:00Z"}\n' "$FAKE_RUNC_LOG_MESSAGE" >> "$log"
fi
exit "${FAKE_RUNC_EXIT:-0}"
