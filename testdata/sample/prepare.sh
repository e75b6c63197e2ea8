#!/bin/sh
# Makes the sample's base: a busybox root filesystem in testdata/sample/rootfs/ from Debian's
# busybox-static (installed by .ci/setup), so the sample builds with no registry and no internet.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
r="$here/rootfs"
[ -x "$r/bin/busybox" ] && exit 0
[ -x /bin/busybox ] || { echo "prepare.sh: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
rm -rf "$r.tmp"; mkdir -p "$r.tmp/bin" "$r.tmp/etc" "$r.tmp/tmp" "$r.tmp/root"
cp /bin/busybox "$r.tmp/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$r.tmp/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r.tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r.tmp/etc/group"
chmod 1777 "$r.tmp/tmp"
mv "$r.tmp" "$r"
