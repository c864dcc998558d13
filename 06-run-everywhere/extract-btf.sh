#!/usr/bin/env bash
# Cut the kernel's BTF out of a vmlinuz file, offline. Two layouts:
# - x86's bzImage: the boot protocol (Documentation/arch/x86/boot.rst) puts
#   the compressed kernel after (setup_sects + 1) sectors of real-mode setup
#   code, at payload_offset, payload_length bytes long. Decompressed, it is an
#   ELF vmlinux whose .BTF section is the same data as /sys/kernel/btf/vmlinux.
# - arm64's Image (Documentation/arch/arm64/booting.rst: "ARMd" at byte 56):
#   the kernel as it lies in memory, no ELF, no section table. Its BTF is
#   found by its own header: magic 0xeb9f, version 1, a 24-byte header.
# Usage: extract-btf.sh VMLINUZ OUT.btf
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VMLINUZ OUT.btf" >&2; exit 2; }
image=$1 out=$2
[ -r "$image" ] || { echo "error: $image: cannot read it" >&2; exit 1; }

u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
magic() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# The BTF blob inside an arm64 Image: the first place where the header's
# magic sits and its lengths fit (types, then strings, inside the file).
btf_in_image() {
	local file=$1 at type_off type_len str_off str_len size
	size=$(stat -L -c %s "$file")
	while read -r at; do
		type_off=$(u32 "$file" $((at + 8))) type_len=$(u32 "$file" $((at + 12)))
		str_off=$(u32 "$file" $((at + 16))) str_len=$(u32 "$file" $((at + 20)))
		if [ "$type_off" -eq 0 ] && [ "$str_off" -eq "$type_len" ] && [ $((at + 24 + str_off + str_len)) -le "$size" ]; then
			dd if="$file" of="$out" iflag=skip_bytes,count_bytes skip="$at" count=$((24 + str_off + str_len)) bs=1M status=none
			return 0
		fi
	done < <(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$file" | cut -d: -f1)
	echo "error: $image: an arm64 Image with no BTF in it (built without CONFIG_DEBUG_INFO_BTF)" >&2
	return 1
}

vmlinux=$out.vmlinux
trap 'rm -f "$vmlinux"' EXIT
if [ "$(magic "$image" 0 4)" = 7f454c46 ]; then
	cp "$image" "$vmlinux"	# already an ELF vmlinux
elif [ "$(magic "$image" 0x38 4)" = 41524d64 ]; then	# "ARMd"
	btf_in_image "$image"
	bpftool btf dump file "$out" >/dev/null 2>&1 ||
		{ rm -f "$out"; echo "error: $image: what looks like BTF in this arm64 Image does not parse" >&2; exit 1; }
	exit 0
elif [ "$(magic "$image" 0x202 4)" = 48647253 ]; then	# "HdrS": the boot protocol header
	setup_sects=$(u8 "$image" 0x1f1)
	[ "$setup_sects" -ne 0 ] || setup_sects=4
	start=$(((setup_sects + 1) * 512 + $(u32 "$image" 0x248)))
	length=$(u32 "$image" 0x24c)
	case $(magic "$image" "$start" 4) in
	fd377a58) decompress=(xz -dc --single-stream) ;;
	28b52ffd) decompress=(zstd -dcq) ;;
	1f8b*) decompress=(gzip -dcq) ;;
	02214c18) decompress=(lz4 -dcq) ;;	# Debian's cloud kernels
	425a68*) decompress=(bzip2 -dcq) ;;
	5d0000*) decompress=(xz -dcq --format=lzma) ;;
	*) echo "error: $image: payload is not xz, zstd, gzip, lz4, bzip2 or lzma (lzo is not supported)" >&2; exit 1 ;;
	esac
	# Decompressors may complain about the size the kernel appends after the
	# stream; whether the result is an ELF file is what counts.
	tail -c +"$((start + 1))" "$image" | head -c "$length" | "${decompress[@]}" >"$vmlinux" 2>/dev/null || true
else
	echo "error: $image: not a bzImage (no HdrS header) nor an ELF vmlinux" >&2
	exit 1
fi
[ "$(od -An -tx1 -N4 "$vmlinux" | tr -d ' ')" = 7f454c46 ] ||
	{ echo "error: $image: the payload did not decompress to an ELF vmlinux" >&2; exit 1; }
sections=$(llvm-readelf -S --wide "$vmlinux")
grep -q ' \.BTF ' <<<"$sections" ||
	{ echo "error: $image: the kernel has no .BTF section (built without CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
llvm-objcopy --dump-section ".BTF=$out" "$vmlinux" /dev/null ||
	{ echo "error: $image: could not copy its .BTF section to $out (llvm-objcopy's message is above)" >&2; exit 1; }
