#!/bin/sh
echo "hello, ${1:-nobody}, from a jbuild image"
cat /app/build-info.txt
