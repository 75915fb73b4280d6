module github.com/stockstream/stockstream/bench

go 1.26.0

replace (
	github.com/stockstream/stockstream/backend => ../backend
	github.com/stockstream/stockstream/frontend => ../frontend
	github.com/stockstream/stockstream/shared => ../shared
)

require (
	github.com/r3labs/sse/v2 v2.10.0
	github.com/stockstream/stockstream/shared v0.0.0
	github.com/tmaxmax/go-sse v0.12.0
)

require (
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/net v0.61.0 // indirect
	gopkg.in/cenkalti/backoff.v1 v1.1.0 // indirect
)
