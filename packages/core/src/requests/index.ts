// A subject's requests (access, portability, erasure) and their statutory deadlines (GDPR
// Art. 12(3)): the calendar arithmetic, and the pure fold of which requests are open and by
// when each is due, that the decider, the read side and the subject view share.
export { daysLeft, endOfDay, endOfDayMonthsLater, isOverdue, longestExtension, requestDeadline } from './deadline';
export { deadlinesAt, evolveOpenRequests, type OpenRequest, type OpenRequests, type RequestDeadline, type RequestRight } from './open-requests';
