"""The words of a report, in each language it is written in. Every language has every key (a test
checks), so a report never falls back to another language half-way."""

from __future__ import annotations

LANGUAGES = ("en", "zh")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Venus operations report", "period": "Period", "compared": "compared with",
        "generated": "Generated", "query": "Lines matching", "all_lines": "all lines",
        "summary": "Summary", "volume": "Log volume", "error_rate": "Error rate",
        "typical": "Typical errors", "latency": "API status and latency", "regressions": "Biggest latency regressions",
        "slowest": "Slowest requests", "anomalies": "New templates and anomalies", "alerts": "Alerts that fired",
        "silent": "Hosts and services gone silent", "storage": "Storage and retention",
        "lines": "Lines", "previous": "Before", "change": "Change", "errors": "Errors", "service": "Service",
        "level": "Level", "api": "API", "requests": "Requests", "server_errors": "5xx", "p50": "p50 ms",
        "p95": "p95 ms", "p99": "p99 ms", "p95_before": "p95 before", "time_ms": "Time ms", "status": "Status",
        "request_id": "Request ID", "when": "When", "host": "Host", "last_seen": "Last line", "kind": "Kind",
        "template": "Template", "score": "Score", "rule": "Rule", "group": "Group", "fired": "Fired",
        "resolved": "Resolved", "duration": "Lasted", "notified": "Notified", "still_firing": "still firing",
        "rows": "Lines stored", "on_disk": "On disk", "uncompressed": "Uncompressed",
        "retention": "Retention", "days": "days", "none": "None.", "example": "Example",
        "new_template": "new template", "spike": "spike", "drop": "drop", "hosts": "Hosts", "services": "Services",
        "more_services": "{n} services in all; the {shown} with the most lines are shown.",
        "chart_volume": "Lines per interval (errors in red)",
        "summary_text": "{total} lines ({change} against the previous period), {errors} errors: an error rate "
                        "of {rate}. {typical} typical errors, {anomalies} anomalies, {alerts} alerts fired, "
                        "{silent} hosts gone silent.",
    },
    "zh": {
        "title": "Venus 运维报告", "period": "时段", "compared": "对比",
        "generated": "生成时间", "query": "匹配的日志", "all_lines": "全部日志",
        "summary": "概要", "volume": "日志量", "error_rate": "错误率",
        "typical": "典型错误", "latency": "API 状态与延迟", "regressions": "延迟增长最多的 API",
        "slowest": "最慢的请求", "anomalies": "新日志模板与异常", "alerts": "触发的告警",
        "silent": "停止上报日志的主机和服务", "storage": "存储与保留",
        "lines": "日志数", "previous": "上期", "change": "变化", "errors": "错误", "service": "服务",
        "level": "级别", "api": "API", "requests": "请求数", "server_errors": "5xx", "p50": "p50 毫秒",
        "p95": "p95 毫秒", "p99": "p99 毫秒", "p95_before": "上期 p95", "time_ms": "耗时 毫秒", "status": "状态码",
        "request_id": "请求 ID", "when": "时间", "host": "主机", "last_seen": "最后一条", "kind": "类型",
        "template": "模板", "score": "得分", "rule": "规则", "group": "分组", "fired": "触发",
        "resolved": "恢复", "duration": "持续", "notified": "已通知", "still_firing": "仍在告警",
        "rows": "存储的日志数", "on_disk": "磁盘占用", "uncompressed": "未压缩",
        "retention": "保留时间", "days": "天", "none": "无。", "example": "示例",
        "new_template": "新模板", "spike": "突增", "drop": "骤降", "hosts": "主机", "services": "服务",
        "more_services": "共 {n} 个服务，显示日志最多的 {shown} 个。",
        "chart_volume": "每个时间段的日志数（红色为错误）",
        "summary_text": "共 {total} 条日志（与上期相比 {change}），错误 {errors} 条，错误率 {rate}。"
                        "典型错误 {typical} 类，异常 {anomalies} 个，触发告警 {alerts} 个，{silent} 台主机停止上报。",
    },
}
