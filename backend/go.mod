module github.com/stockstream/stockstream/backend

go 1.26.0

replace (
	github.com/stockstream/stockstream/frontend => ../frontend
	github.com/stockstream/stockstream/shared => ../shared
)

require (
	github.com/julienschmidt/httprouter v1.3.0 // indirect
	github.com/prometheus/client_golang v1.25.0 // indirect
)
