// A course's gradebook (tag `gradebook`).
import { client, ok, API_PREFIX } from './client'
import type { QueryOf } from './types'

export const gradebook = {
  /** `GET /courses/{id}/gradebook`; `group_id`: only that group's students. */
  get: (courseId: string, query: QueryOf<'/api/v1/courses/{course_id}/gradebook'> = {}) =>
    ok(client.GET('/api/v1/courses/{course_id}/gradebook', { params: { path: { course_id: courseId }, query } })),
  /** The link of `GET /courses/{id}/gradebook.csv` (a file to download), with the same filter. */
  csvUrl: (courseId: string, query: QueryOf<'/api/v1/courses/{course_id}/gradebook.csv'> = {}) => {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v != null && v !== '').map(([k, v]) => [k, String(v)])).toString()
    return `${API_PREFIX}/courses/${encodeURIComponent(courseId)}/gradebook.csv${qs ? `?${qs}` : ''}`
  },
  /**
   * `GET /courses/{id}/students/{student}/overview` (the staff who grade the student): progress, homework,
   * quiz results and attempts, late and overdue work, last activity; `student_not_found` otherwise.
   */
  student: (courseId: string, studentId: string) =>
    ok(client.GET('/api/v1/courses/{course_id}/students/{student_id}/overview', { params: { path: { course_id: courseId, student_id: studentId } } })),
}
