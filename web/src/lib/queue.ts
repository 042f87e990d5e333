// The grading queues (homework waiting for a grade, essays waiting in quiz
// attempts): one filter for both, as the server takes it.
import type { QueryOf } from '../api/types'

/** What the grading page filters by. */
export interface QueueFilters {
  /** Search text (a student's name or e-mail). */
  search: string
  /** The course picked in the course filter ('' for every course). */
  course: string
  /** The course the group filter belongs to (picked, or the only one). */
  chosen: string
  /** The group picked ('' for every group). */
  group: string
}

/**
 * The query of `GET /grading-queue` and `GET /grading-queue/essays` for a
 * page: empty filters left out; a group narrows its course (the only course
 * when none is picked).
 */
export function queueQuery(f: QueueFilters, page: { limit: number; offset: number }): QueryOf<'/api/v1/grading-queue'> {
  return {
    limit: page.limit,
    offset: Math.max(0, page.offset),
    q: f.search.trim() || undefined,
    course_id: (f.group ? f.chosen : f.course) || undefined,
    group_id: f.group || undefined,
  }
}
