module github.com/stockstream/stockstream/backend

go 1.26.0

replace (
	github.com/stockstream/stockstream/frontend => ../frontend
	github.com/stockstream/stockstream/shared => ../shared
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/julienschmidt/httprouter v1.3.0 // indirect
	github.com/maxence-charriere/go-app/v10 v10.1.11 // indirect
	github.com/prometheus/client_golang v1.25.0 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	github.com/stockstream/stockstream/frontend v0.0.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
