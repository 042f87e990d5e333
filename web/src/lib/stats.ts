// Chart series for the course statistics page. The numbers themselves come
// from the server (`GET /courses/{id}/statistics`, field `items`; computed
// in lms-core `dashboard::items`), so the page and every other client agree.
import type { CourseStatistics, ItemStatistics } from '../api/types'

/**
 * One assignment's or quiz's numbers: `done_share` (handed in or finished of
 * the enrolled students, 0..1), `average_percent` (mean score in percent of
 * the maximum), `late_share` (late first hand-ins, 0..1; none for quizzes).
 */
export type ItemStats = ItemStatistics
/** `GET /courses/{id}/statistics`. */
export type { CourseStatistics }

const round2 = (n: number) => Math.round(n * 100) / 100

/** The bar colours: assignments in the primary blue, quizzes in green. */
export const KIND_COLOURS = { assignment: '#0d6efd', quiz: '#198754' } as const

/** Which number a chart shows. */
export type Metric = 'average' | 'done' | 'late'

/** The value of `metric` for one item, in percent (null when there is none). */
export function metricValue(item: ItemStats, metric: Metric): number | null {
  if (metric === 'average') return item.average_percent ?? null
  const share = metric === 'done' ? item.done_share : item.late_share
  return share == null ? null : round2(share * 100)
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
