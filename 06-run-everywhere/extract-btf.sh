#!/usr/bin/env bash
# Cut the kernel's BTF out of a bzImage (a vmlinuz file), offline.
# The x86 boot protocol (Documentation/arch/x86/boot.rst) puts the compressed
# kernel at a known place: after (setup_sects + 1) sectors of real-mode
# setup code, at payload_offset, payload_length bytes long. Decompressed, it
# is an ELF vmlinux whose .BTF section is the same data as /sys/kernel/btf/vmlinux.
# Usage: extract-btf.sh VMLINUZ OUT.btf
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VMLINUZ OUT.btf" >&2; exit 2; }
bzimage=$1 out=$2
[ -r "$bzimage" ] || { echo "error: $bzimage: cannot read it" >&2; exit 1; }

u8() { od -An -tu1 -j "$1" -N1 "$bzimage" | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N4 "$bzimage" | tr -d ' '; }
magic() { od -An -tx1 -j "$1" -N "$2" "$bzimage" | tr -d ' \n'; }

vmlinux=$out.vmlinux
trap 'rm -f "$vmlinux"' EXIT
if [ "$(magic 0 4)" = 7f454c46 ]; then
	cp "$bzimage" "$vmlinux"	# already an ELF vmlinux
elif [ "$(magic 0x202 4)" = 48647253 ]; then	# "HdrS": the boot protocol header
	setup_sects=$(u8 0x1f1)
	[ "$setup_sects" -ne 0 ] || setup_sects=4
	start=$(((setup_sects + 1) * 512 + $(u32 0x248)))
	length=$(u32 0x24c)
	case $(magic "$start" 4) in
	fd377a58) decompress=(xz -dc --single-stream) ;;
	28b52ffd) decompress=(zstd -dcq) ;;
	1f8b*) decompress=(gzip -dcq) ;;
	02214c18) decompress=(lz4 -dcq) ;;	# Debian's cloud kernels
	425a68*) decompress=(bzip2 -dcq) ;;
	5d0000*) decompress=(xz -dcq --format=lzma) ;;
	*) echo "error: $bzimage: payload is not xz, zstd, gzip, lz4, bzip2 or lzma (lzo is not supported)" >&2; exit 1 ;;
	esac
	# Decompressors may complain about the size the kernel appends after the
	# stream; whether the result is an ELF file is what counts.
	tail -c +"$((start + 1))" "$bzimage" | head -c "$length" | "${decompress[@]}" >"$vmlinux" 2>/dev/null || true
else
	echo "error: $bzimage: not a bzImage (no HdrS header) nor an ELF vmlinux" >&2
	exit 1
fi
[ "$(od -An -tx1 -N4 "$vmlinux" | tr -d ' ')" = 7f454c46 ] ||
	{ echo "error: $bzimage: the payload did not decompress to an ELF vmlinux" >&2; exit 1; }
sections=$(llvm-readelf -S --wide "$vmlinux")
grep -q ' \.BTF ' <<<"$sections" ||
	{ echo "error: $bzimage: the kernel has no .BTF section (built without CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
llvm-objcopy --dump-section ".BTF=$out" "$vmlinux" /dev/null ||
	{ echo "error: $bzimage: could not copy its .BTF section to $out (llvm-objcopy's message is above)" >&2; exit 1; }
