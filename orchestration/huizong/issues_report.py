"""Reading marts.dq_issues for people: filtered and grouped by reporting township."""

from __future__ import annotations

from pathlib import Path

from huizong.warehouse import connect_read_only


def load_findings(warehouse: Path, severity=None, area=None, period=None, limit=500) -> dict[tuple[str, str], list[dict]]:
    con = connect_read_only(warehouse)
    try:
        where, params = ["1=1"], []
        if severity:
            where.append("d.severity = ?")
            params.append(severity)
        if period:
            where.append("d.period = ?")
            params.append(period)
        if area:
            where.append("? in (d.area_code, a.township_code, a.county_code, a.city_code, a.province_code)")
            params.append(area)
        sql = f"""
            select d.*, a.area_name,
                   coalesce(d.township_code, a.township_code, d.area_code) as unit_code,
                   coalesce(t.area_name, a.area_name, '') as unit_name
            from marts.dq_issues d
            left join (select distinct on (area_code) * from marts.dim_area order by area_code, valid_from desc) a
                   on a.area_code = d.area_code
            left join (select distinct on (area_code) * from marts.dim_area order by area_code, valid_from desc) t
                   on t.area_code = coalesce(d.township_code, a.township_code)
            where {' and '.join(where)}
            order by unit_code, d.severity, d.period, d.area_code, d.rule_id
            limit {int(limit)}
        """
        cur = con.execute(sql, params)
        cols = [c[0] for c in cur.description]
        groups: dict[tuple[str, str], list[dict]] = {}
        for row in cur.fetchall():
            r = dict(zip(cols, row))
            groups.setdefault((r["unit_code"] or "", r["unit_name"] or ""), []).append(r)
        return groups
    finally:
        con.close()
