module github.com/stockstream/stockstream/frontend

go 1.26

replace github.com/stockstream/stockstream/shared => ../shared
