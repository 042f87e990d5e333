// Course announcements (tag `announcements`).
import { client, ok, done } from './client'
import type { AnnouncementRequest } from './types'

const course = (course_id: string) => ({ params: { path: { course_id } } })

export const announcements = {
  /** `GET /courses/{id}/announcements`: those the caller reads, newest first (`limit` 1..100, default 20). */
  list: (courseId: string, limit?: number) =>
    ok(client.GET('/api/v1/courses/{course_id}/announcements', { params: { path: { course_id: courseId }, query: limit ? { limit } : {} } })),
  /**
   * `POST /courses/{id}/announcements` (the owner, an admin, a mentor): `group_ids` empty means the whole
   * course from the owner, every group they mentor from a mentor.
   */
  post: (courseId: string, body: AnnouncementRequest) => ok(client.POST('/api/v1/courses/{course_id}/announcements', { ...course(courseId), body })),
  /** `DELETE /announcements/{id}` (its author, the owner or an admin). */
  remove: (id: string) => done(client.DELETE('/api/v1/announcements/{announcement_id}', { params: { path: { announcement_id: id } } })),
}
