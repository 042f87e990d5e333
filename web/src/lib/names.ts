import { courses } from '../api'
import type { MemberName } from '../api/types'

// Names for lists that hold ids (a quiz's attempts, a submission), asked of
// the server for exactly the ids shown: `POST /courses/{id}/member-names`
// answers for course members whatever the course's size.

/** The most ids one request may carry (lms-core `MEMBER_NAMES_LIMIT`). */
export const NAMES_PER_REQUEST = 200

const names = new Map<string, string>()

/** User id → display name of those of `ids` who belong to the course (empty when not visible). */
export async function memberNames(courseId: string, ids: string[]): Promise<Record<string, string>> {
  const wanted = [...new Set(ids)]
  const missing = wanted.filter((id) => !names.has(`${courseId}/${id}`))
  for (let i = 0; i < missing.length; i += NAMES_PER_REQUEST) {
    const chunk = missing.slice(i, i + NAMES_PER_REQUEST)
    let found: MemberName[] = []
    try {
      found = await courses.memberNames(courseId, chunk)
    } catch {
      // Names are a nicety: the list shows ids instead.
    }
    for (const n of Array.isArray(found) ? found : []) names.set(`${courseId}/${n.user_id}`, n.display_name)
  }
  return Object.fromEntries(wanted.filter((id) => names.has(`${courseId}/${id}`)).map((id) => [id, names.get(`${courseId}/${id}`)!]))
}
