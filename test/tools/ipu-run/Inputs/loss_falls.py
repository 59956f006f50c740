#!/usr/bin/python3
"""Prints "loss falls" when the mean loss of the last 10 steps of a
training log is below half the mean of its first 10, else the means."""
import json
import sys

losses = [json.loads(line)["loss"] for line in open(sys.argv[1])]
first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
print("loss falls" if len(losses) >= 20 and last < 0.5 * first else
      f"loss does not fall: first 10 {first}, last 10 {last}")
