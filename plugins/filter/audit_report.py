# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.ebpfops.tetragon.plugins.module_utils.report._audit import (
    AuditReportError, build_report, render_html, render_textfile)


def audit_report(results, budget_percent=None, hosts=None, top=10, generated_at=None, title=None, guard=None):
    try:
        return build_report(results, budget_percent=budget_percent, top=top, hosts=hosts,
                            generated_at=generated_at, title=title, guard=guard)
    except AuditReportError as exc:
        raise AnsibleFilterError("ebpfops.tetragon.audit_report: %s" % exc)


def audit_report_html(report):
    try:
        return render_html(report)
    except AuditReportError as exc:
        raise AnsibleFilterError("ebpfops.tetragon.audit_report_html: %s" % exc)


def audit_textfile(report, host):
    try:
        return render_textfile(report, host)
    except AuditReportError as exc:
        raise AnsibleFilterError("ebpfops.tetragon.audit_textfile: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {
            "audit_report": audit_report,
            "audit_report_html": audit_report_html,
            "audit_textfile": audit_textfile,
        }
