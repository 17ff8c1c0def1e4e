# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Policies the VM tests load on the guest's kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# every read and write of a file runs security_file_permission: the hot kprobe the gates and the guard catch
FILE_PERMISSION = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: file-permission
spec:
  kprobes:
  - call: security_file_permission
    syscall: false
"""
