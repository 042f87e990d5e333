// Per-assignment and per-quiz numbers for the course statistics charts,
// computed from the gradebook (`GET /courses/{id}/gradebook`).

/** A gradebook column: an assignment or a quiz. */
export interface GradebookColumn { kind: 'assignment' | 'quiz'; id: string; title: string; max_score: number }
/** One student's gradebook row. */
export interface GradebookRow {
  student_id: string
  student_name: string
  email: string
  cells: (number | null)[]
  submission_ids: (string | null)[]
  total: number
  total_max: number
  percent: number
}
/** `GET /courses/{id}/gradebook`. */
export interface Gradebook { course_id: string; columns: GradebookColumn[]; rows: GradebookRow[] }

/** What the charts show for one assignment or quiz. */
export interface ItemStats {
  id: string
  kind: 'assignment' | 'quiz'
  title: string
  /** Mean score in percent of the maximum over the scored students; null before the first score. */
  averagePercent: number | null
  /**
   * Share (0..1) of enrolled students who handed the assignment in (graded or
   * waiting) or finished the quiz; null without students.
   */
  doneShare: number | null
  /** Students with a score. */
  scored: number
}

const round2 = (n: number) => Math.round(n * 100) / 100

/** Per column of the gradebook: the average percent and the hand-in (or finished) share. */
export function itemStats(g: Gradebook): ItemStats[] {
  const students = g.rows.length
  return g.columns.map((c, i) => {
    let sum = 0
    let scored = 0
    let done = 0
    for (const r of g.rows) {
      const cell = r.cells[i]
      const scoredHere = cell != null && Number.isFinite(cell)
      if (scoredHere && c.max_score > 0) {
        sum += (cell / c.max_score) * 100
        scored++
      }
      if (c.kind === 'assignment' ? r.submission_ids[i] != null || scoredHere : scoredHere) done++
    }
    return {
      id: c.id,
      kind: c.kind,
      title: c.title,
      averagePercent: scored ? round2(sum / scored) : null,
      doneShare: students ? Math.round((done / students) * 10000) / 10000 : null,
      scored,
    }
  })
}

/** The bar colours: assignments in the primary blue, quizzes in green. */
export const KIND_COLOURS = { assignment: '#0d6efd', quiz: '#198754' } as const

/** Which number a chart shows. */
export type Metric = 'average' | 'done'

/** The value of `metric` for one item, in percent (null when there is none). */
export function metricValue(item: ItemStats, metric: Metric): number | null {
  if (metric === 'average') return item.averagePercent
  return item.doneShare == null ? null : round2(item.doneShare * 100)
}

/** An axis label: the title, cut to `max` characters with "…" (the full one is in the tooltip). */
export function shortLabel(title: string, max = 28): string {
  const chars = [...title.trim()]
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`
}

/** A bar chart's labels, values (percent) and colours for `metric`; `kindLabel` names the kind ("Задание"). */
export function barSeries(items: ItemStats[], metric: Metric, kindLabel: (kind: ItemStats['kind']) => string) {
  return {
    labels: items.map((i) => `${i.title} (${kindLabel(i.kind).toLowerCase()})`),
    axisLabels: items.map((i) => shortLabel(i.title)),
    values: items.map((i) => metricValue(i, metric)),
    colours: items.map((i) => KIND_COLOURS[i.kind]),
  }
}
