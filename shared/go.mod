module github.com/stockstream/stockstream/shared

go 1.26
