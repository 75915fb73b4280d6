module github.com/stockstream/stockstream/backend

go 1.26

replace (
	github.com/stockstream/stockstream/frontend => ../frontend
	github.com/stockstream/stockstream/shared => ../shared
)
