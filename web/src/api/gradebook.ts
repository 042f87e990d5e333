// A course's gradebook (tag `gradebook`).
import { client, ok, API_PREFIX } from './client'

export const gradebook = {
  get: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/gradebook', { params: { path: { course_id: courseId } } })),
  /** The link of `GET /courses/{id}/gradebook.csv` (a file to download). */
  csvUrl: (courseId: string) => `${API_PREFIX}/courses/${encodeURIComponent(courseId)}/gradebook.csv`,
}
