package main

// The time zone database is built in, so that --tz and --replay-tz work
// on a machine without one (a container without /usr/share/zoneinfo).
import _ "time/tzdata"
