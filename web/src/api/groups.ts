// Groups of a course's students and their mentors (tag `groups`).
import { client, ok } from './client'
import type { UpdateGroupRequest } from './types'

const course = (course_id: string) => ({ params: { path: { course_id } } })
const group = (group_id: string) => ({ params: { path: { group_id } } })
const student = (course_id: string, student_id: string) => ({ params: { path: { course_id, student_id } } })

export const groups = {
  /** `GET /courses/{id}/groups`: oldest first; a mentor gets only their own groups' codes (others `null`). */
  list: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/groups', course(courseId))),
  /** `POST /courses/{id}/groups` (owner or admin): a new group with a fresh invite code. */
  create: (courseId: string, name: string, mentorIds: string[] = []) =>
    ok(client.POST('/api/v1/courses/{course_id}/groups', { ...course(courseId), body: { name, mentor_ids: mentorIds } })),
  /** `PATCH /groups/{id}` (owner or admin): rename, replace the mentors, archive or bring back. */
  update: (groupId: string, body: UpdateGroupRequest) => ok(client.PATCH('/api/v1/groups/{group_id}', { ...group(groupId), body })),
  /** `POST /groups/{id}/invite-code` (owner or admin): a new code; the old one stops working. */
  rotateCode: (groupId: string) => ok(client.POST('/api/v1/groups/{group_id}/invite-code', group(groupId))),
  /** `GET /courses/{id}/group-members`: each student the caller sees with their group (`null`: none). */
  members: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/group-members', course(courseId))),
  /** `PUT /courses/{id}/students/{student}/group` (owner or admin): `null` takes the student out of every group. */
  move: (courseId: string, studentId: string, groupId: string | null) =>
    ok(client.PUT('/api/v1/courses/{course_id}/students/{student_id}/group', { ...student(courseId, studentId), body: { group_id: groupId } })),
  /** `GET /courses/{id}/students/{student}/group-history`: the student's moves, oldest first. */
  history: (courseId: string, studentId: string) => ok(client.GET('/api/v1/courses/{course_id}/students/{student_id}/group-history', student(courseId, studentId))),
}
