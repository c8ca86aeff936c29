#!/usr/bin/env bash
# Builds the native SHA-1 pair library into the class path (arg 1: the output directory; arg 2: the JDK, for
# jni.h), where ccbt.core.hash.Sha1Pair finds it. Optional: without an x86-64 Linux C compiler ccbt hashes
# with libcrypto alone.
set -euo pipefail
out=$1/ccbt/native/linux-x86_64
src=$(cd "$(dirname "$0")" && pwd)/sha1_pair.c
jdk=$2
if [[ $(uname -s) != Linux || $(uname -m) != x86_64 || ! -f $jdk/include/jni.h ]] || ! command -v cc >/dev/null; then
  echo "ccbt: no x86-64 Linux C compiler or jni.h; the SHA-1 pair library is not built (libcrypto hashes alone)" >&2
  exit 0
fi
mkdir -p "$out"
if [[ ! -f $out/libccbtsha1.so || $src -nt $out/libccbtsha1.so || $0 -nt $out/libccbtsha1.so ]]; then
  cc -O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared -I"$jdk/include" -I"$jdk/include/linux" \
    -o "$out/libccbtsha1.so" "$src"
fi
