# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ebpfops.tetragon.plugins.module_utils.host import _metrics


def tetragon_metrics_url(flag):
    return _metrics.url_from_flag(flag)


class FilterModule(object):
    def filters(self):
        return {"tetragon_metrics_url": tetragon_metrics_url}
