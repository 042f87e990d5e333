// The staff page of one student in a course (views/CourseStudent.vue): the
// shares its progress bars show, the colour of a homework status and where
// an attempt's review is. Pure.
import type { AttemptItem, HomeworkStatus } from '../api/types'

/** `done` of `total` in whole percent (0 when there is nothing to do). */
export function share(done: number, total: number): number {
  if (!(total > 0) || !(done > 0)) return 0
  return Math.min(100, Math.round((done * 100) / total))
}

const HW_CLASSES: Partial<Record<HomeworkStatus, string>> = { graded: 'success', missing: 'danger', submitted_late: 'warning', returned_for_rework: 'warning', submitted: 'info' }
/** The Bootstrap colour of a homework status's badge (`text-bg-…`). */
export const hwClass = (s: HomeworkStatus) => HW_CLASSES[s] ?? 'secondary'

/** The review of a finished attempt; `null` while it is open. */
export const reviewLink = (a: Pick<AttemptItem, 'attempt_id' | 'state'>): string | null => (a.state === 'open' ? null : `/attempts/${a.attempt_id}/review`)
