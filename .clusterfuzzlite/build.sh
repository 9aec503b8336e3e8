#!/bin/bash -eu
# ClusterFuzzLite builds the same targets as OSS-Fuzz.
exec bash -eu "$SRC/mailspec/oss-fuzz/build.sh"
