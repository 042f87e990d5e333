import { describe, it, expect } from 'vitest'
import { queueQuery } from '../src/lib/queue'

const none = { search: '', course: '', chosen: '', group: '' }

describe('the grading queues’ query', () => {
  it('leaves empty filters out and keeps the page', () => {
    expect(queueQuery(none, { limit: 51, offset: 0 })).toEqual({ limit: 51, offset: 0 })
    // The order the server's URL shows: limit, offset, q, course_id, group_id.
    const all = queueQuery({ search: ' пет ', course: 'c1', chosen: 'c1', group: 'g1' }, { limit: 51, offset: 50 })
    expect(all).toEqual({ limit: 51, offset: 50, q: 'пет', course_id: 'c1', group_id: 'g1' })
    expect(Object.keys(all)).toEqual(['limit', 'offset', 'q', 'course_id', 'group_id'])
  })

  it('trims the search and never asks for a negative offset', () => {
    expect(queueQuery({ ...none, search: '  Анна ' }, { limit: 51, offset: -50 })).toEqual({ limit: 51, offset: 0, q: 'Анна' })
    expect(queueQuery({ ...none, search: '   ' }, { limit: 51, offset: 0 }).q).toBeUndefined()
  })

  it('narrows a group to its course, the only course when none is picked', () => {
    expect(queueQuery({ ...none, course: 'c2' }, { limit: 51, offset: 0 })).toEqual({ limit: 51, offset: 0, course_id: 'c2' })
    expect(queueQuery({ ...none, chosen: 'c1', group: 'g1' }, { limit: 51, offset: 0 })).toEqual({ limit: 51, offset: 0, course_id: 'c1', group_id: 'g1' })
    // A course is picked but no group: the course alone (the chosen one is only for groups).
    expect(queueQuery({ ...none, course: '', chosen: 'c1' }, { limit: 51, offset: 0 })).toEqual({ limit: 51, offset: 0 })
  })
})
