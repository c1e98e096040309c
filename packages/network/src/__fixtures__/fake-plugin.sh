#!/bin/sh
# A fake CNI plugin: records its environment and stdin in $FAKE_CNI_LOG (from CNI_ARGS LOG=...),
# then answers as FAKE_MODE (from its own name: fake-ok, fake-fail, fake-garbage) says.
log_dir=$(printf '%s' "$CNI_ARGS" | sed -n 's/.*LOG=\([^;]*\).*/\1/p')
name=$(basename "$0")
n=$(ls "$log_dir" | wc -l)
stdin=$(cat)
{
  printf '{"plugin":"%s","command":"%s","containerId":"%s","netns":"%s","ifName":"%s","path":"%s","stdin":%s}\n' \
    "$name" "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_PATH" "$stdin"
} > "$log_dir/$(printf '%03d' "$n")-$name-$CNI_COMMAND.json"
case "$name" in
  fake-fail)
    printf '{"cniVersion":"1.0.0","code":11,"msg":"try again later","details":"the fake says no"}'
    exit 1 ;;
  fake-garbage)
    echo 'not json' >&2
    exit 3 ;;
esac
if [ "$CNI_COMMAND" = ADD ]; then
  printf '{"cniVersion":"1.0.0","interfaces":[{"name":"veth1"},{"name":"%s","mac":"aa:bb:cc:dd:ee:0%s","sandbox":"%s"}],"ips":[{"address":"10.99.0.%s/24","gateway":"10.99.0.1","interface":1}]}' "$CNI_IFNAME" "$n" "$CNI_NETNS" "$((n + 2))"
fi
