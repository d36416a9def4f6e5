package sim

func VacatedSlotsClear(l *Loop) bool {
	for _, s := range l.q.free {
		if l.q.vals[s] != (payload{}) {
			return false
		}
	}
	return true
}
