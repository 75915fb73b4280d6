module github.com/stockstream/stockstream/frontend

go 1.26

replace github.com/stockstream/stockstream/shared => ../shared

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/maxence-charriere/go-app/v10 v10.1.11
	github.com/stockstream/stockstream/shared v0.0.0
)

require github.com/google/uuid v1.6.0 // indirect
