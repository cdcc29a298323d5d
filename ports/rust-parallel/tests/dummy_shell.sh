#!/usr/bin/env bash

echo "dummy_shell arg1=$1 arg2=$2"
