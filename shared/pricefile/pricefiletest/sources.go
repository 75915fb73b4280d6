// Package pricefiletest holds price files shaped as the common sources
// write them (a real header and two rows of each, written from the
// sources' documented formats), with the quotes each must give, for the
// tests of the reader and of the commands that publish them.
package pricefiletest

// Source is a price file as one source writes it.
type Source struct {
	Name string // the source
	File string // the file's name, as the source names it or as saved
	Data string
	// Symbol, Adjusted and TZ are the options the file needs: --symbol,
	// --adjusted and --tz ("" for the default, America/New_York).
	Symbol   string
	Adjusted bool
	TZ       string
	// Layout is part of what the reader must find the file to be.
	Layout string
	// Want are the quotes in the order they are published, as "SYMBOL
	// PRICE TIMESTAMP" (RFC 3339, UTC).
	Want []string
}

// Args returns the command-line flags the file needs.
func (s Source) Args() []string {
	var out []string
	if s.Symbol != "" {
		out = append(out, "--symbol", s.Symbol)
	}
	if s.Adjusted {
		out = append(out, "--adjusted")
	}
	if s.TZ != "" {
		out = append(out, "--tz", s.TZ)
	}
	return out
}

// Sources are the shapes of file people download. A date alone is the
// day's close, 16:00 in the time zone (21:00 UTC in New York's winter).
var Sources = []Source{
	{
		Name: "Yahoo daily, float32 prices printed to six places, a null row",
		File: "AAPL.csv",
		Data: "Date,Open,High,Low,Close,Adj Close,Volume\n" +
			"2024-01-02,187.149994,188.440002,183.889999,185.639999,184.938217,82488700\n" +
			"2024-01-03,null,null,null,null,null,null\n" +
			"2024-01-04,182.149994,183.089996,180.880005,181.910004,181.222336,71983600\n",
		Layout: `CSV, comma-separated; date "Date" (column 1), price "Close" (column 5), symbol AAPL (from the file's name)`,
		Want:   []string{"AAPL 185.64 2024-01-02T21:00:00Z", "AAPL 181.91 2024-01-04T21:00:00Z"},
	},
	{
		Name:   "Stooq daily",
		File:   "aapl_us_d.csv",
		Symbol: "AAPL",
		Data: "Date,Open,High,Low,Close,Volume\n" +
			"2024-01-02,186.033,187.319,182.71,184.532,82488674\n" +
			"2024-01-03,183.12,184.77,182.35,183.15,58418916\n",
		Layout: `date "Date" (column 1), price "Close" (column 5), symbol AAPL (given)`,
		Want:   []string{"AAPL 184.532 2024-01-02T21:00:00Z", "AAPL 183.15 2024-01-03T21:00:00Z"},
	},
	{
		Name:   "Alpha Vantage intraday, US Eastern, newest first",
		File:   "intraday_5min_IBM.csv",
		Symbol: "IBM",
		Data: "timestamp,open,high,low,close,volume\n" +
			"2024-01-02 09:35:00,162.8300,163.1100,162.7000,163.0400,131071\n" +
			"2024-01-02 09:30:00,162.2000,162.9900,162.1800,162.8400,223591\n",
		Layout: `date "timestamp" (column 1), price "close" (column 5)`,
		Want:   []string{"IBM 162.84 2024-01-02T14:30:00Z", "IBM 163.04 2024-01-02T14:35:00Z"},
	},
	{
		Name:   "Nasdaq historical, $ prices, MM/DD/YYYY, newest first",
		File:   "HistoricalData_1704412800000.csv",
		Symbol: "MSFT",
		Data: "Date,Close/Last,Volume,Open,High,Low\n" +
			"01/03/2024,$370.60,23134000,$369.01,$373.26,$368.51\n" +
			"01/02/2024,$370.87,25258600,$373.86,$375.90,$366.77\n",
		Layout: `date "Date" (column 1), price "Close/Last" (column 2)`,
		Want:   []string{"MSFT 370.87 2024-01-02T21:00:00Z", "MSFT 370.6 2024-01-03T21:00:00Z"},
	},
	{
		Name:     "pandas to_csv, index column, lower case, adj_close, a ticker column",
		File:     "prices.csv",
		Adjusted: true,
		Data: ",date,ticker,open,high,low,close,adj_close,volume\n" +
			"0,2024-01-02,GOOG,139.6,140.615,137.74,139.56,139.3249,20071900\n" +
			"1,2024-01-02,NVDA,49.244,49.295,47.595,48.168,48.1549,411254000\n",
		Layout: `date "date" (column 2), price "adj_close" (column 8), symbol "ticker" (column 3)`,
		Want:   []string{"GOOG 139.3249 2024-01-02T21:00:00Z", "NVDA 48.1549 2024-01-02T21:00:00Z"},
	},
	{
		Name: "European export: ';', DD.MM.YYYY, decimal commas, thousands dots",
		File: "RHM.DE.csv",
		TZ:   "Europe/Berlin",
		Data: "Date;Open;High;Low;Close;Volume\n" +
			"02.01.2024;287,50;292,10;286,20;1.291,80;312450\n" +
			"03.01.2024;290,00;294,40;288,60;293,5;287112\n",
		Layout: `CSV, semicolon-separated; date "Date" (column 1), price "Close" (column 5), symbol RHM.DE (from the file's name), decimal ","`,
		Want:   []string{"RHM.DE 1291.8 2024-01-02T15:00:00Z", "RHM.DE 293.5 2024-01-03T15:00:00Z"},
	},
	{
		Name: "tab-separated, quoted fields, a time with its zone",
		File: "NVDA.tsv",
		Data: "\"Date\"\t\"Open\"\t\"High\"\t\"Low\"\t\"Close\"\t\"Adj Close\"\t\"Volume\"\n" +
			"\"2024-01-02T09:30:00-05:00\"\t\"492.44\"\t\"492.95\"\t\"475.95\"\t\"481.68\"\t\"481.53\"\t\"41125400\"\n" +
			"\"2024-01-03 16:00:00\"\t\"474.85\"\t\"481.84\"\t\"473.2\"\t\"1,475.69\"\t\"475.54\"\t\"32089600\"\n",
		Layout: `CSV, tab-separated; date "Date" (column 1), price "Close" (column 5)`,
		Want:   []string{"NVDA 481.68 2024-01-02T14:30:00Z", "NVDA 1475.69 2024-01-03T21:00:00Z"},
	},
	{
		Name: "long CSV, several symbols, RFC 3339",
		File: "long.csv",
		Data: "symbol,date,price\n" +
			"AAPL,2024-01-02T14:30:00Z,187.15\n" +
			"MSFT,2024-01-02T14:30:00.5Z,373.86\n",
		Layout: `date "date" (column 2), price "price" (column 3), symbol "symbol" (column 1)`,
		Want:   []string{"AAPL 187.15 2024-01-02T14:30:00Z", "MSFT 373.86 2024-01-02T14:30:00.5Z"},
	},
}
